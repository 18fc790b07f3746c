-- The access audit (ETSI EN 303 645, OWASP API): who did what, when, from where; every action and every read
-- of a resident's record. Append-only, enforced here: no UPDATE, DELETE or TRUNCATE, whatever the client.

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  -- the signed-in user (null for an unauthenticated attempt such as a failed login)
  user_id text,
  username text,
  role text,
  ip text NOT NULL,
  method text NOT NULL,
  -- the route as declared (/api/v1/residents/:id) and what it acted on
  route text NOT NULL,
  action text NOT NULL,
  target_type text,
  target_id text,
  resident_id text,
  status smallint NOT NULL
);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_resident ON audit_log (resident_id, id) WHERE resident_id IS NOT NULL;
CREATE INDEX audit_log_target ON audit_log (target_id, id) WHERE target_id IS NOT NULL;
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
