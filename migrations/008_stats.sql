-- Service statistics count alerts by when they opened, hub-wide as well as per site (alerts_site).
CREATE INDEX alerts_opened ON alerts (opened_at);
