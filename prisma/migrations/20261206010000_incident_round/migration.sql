-- An incident that fires again after it was resolved (an Alertmanager group re-firing, PagerDuty incident.reopened)
-- is investigated again in the same thread: each round has its own job and investigation.
ALTER TABLE "Incident" ADD COLUMN "round" INTEGER NOT NULL DEFAULT 1;
