-- Alert classes. Each event type in a device definition (devices/) says whether it is life-safety, fire or
-- technical; the alert carries its class, and the default escalation chains are chosen from the class, never
-- from an alert type's name: a new life-safety device type (a bed-exit sensor, a gas detector) gets the
-- life-safety chain without anyone remembering to add a policy for its name.

ALTER TABLE alerts ADD COLUMN alert_class text NOT NULL DEFAULT 'technical'
  CHECK (alert_class IN ('life-safety', 'fire', 'technical'));
-- alerts from before: the shipped rules gave fire priority 1 and life-safety priority 2, nothing else
UPDATE alerts SET alert_class = CASE priority WHEN 1 THEN 'fire' ELSE 'life-safety' END
WHERE priority IN (1, 2) AND device_id IS NOT NULL;
-- the runner always says; a writer that forgets fails instead of filing an alarm as technical
ALTER TABLE alerts ALTER COLUMN alert_class DROP DEFAULT;

-- A policy applies to one alert type, or to one class (with alert_type '*'), or to any alert. The most
-- specific wins: at a site before hub-wide; a type before a class before any.
ALTER TABLE escalation_policies ADD COLUMN alert_class text
  CHECK (alert_class IN ('life-safety', 'fire', 'technical'));
ALTER TABLE escalation_policies ADD CONSTRAINT escalation_policies_type_or_class
  CHECK (alert_class IS NULL OR alert_type = '*');
DROP INDEX escalation_policies_scope;
CREATE UNIQUE INDEX escalation_policies_scope
  ON escalation_policies (coalesce(site_id, ''), alert_type, coalesce(alert_class, ''));

-- The built-in defaults by class replace those by type name; steps an administrator edited are kept.
INSERT INTO escalation_policies (id, site_id, alert_type, alert_class, name, steps, builtin)
SELECT 'pol_default_' || c.id, NULL, '*', c.class, c.name,
  coalesce((SELECT p.steps FROM escalation_policies p WHERE p.id = c.was),
    '[{"name":"alert","targets":["call-centre","duty-staff"],"waitSeconds":60},
      {"name":"escalate","targets":["supervisor","family"],"waitSeconds":120},
      {"name":"unanswered","targets":["call-centre","duty-staff","supervisor","family"],"waitSeconds":300,
       "unanswered":true}]'::jsonb),
  true
FROM (VALUES ('life_safety', 'life-safety', 'Life-safety default', 'pol_default_sos'),
             ('fire', 'fire', 'Fire default', 'pol_default_smoke')) AS c(id, class, name, was);
DELETE FROM escalation_policies WHERE id IN ('pol_default_sos', 'pol_default_fall', 'pol_default_smoke');
UPDATE escalation_policies SET alert_class = 'technical' WHERE id = 'pol_default_any';
