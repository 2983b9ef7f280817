-- Alert storms: every alert of an incident is a row, the one that opened it included ("primary"). Alerts that arrive
-- while an incident is open and share its grouping key (cluster + namespace, or cluster + Alertmanager group labels)
-- within the grouping window join it instead of opening a thread of their own; the incident is resolved once every
-- one of its alerts is.
ALTER TABLE "Incident" ADD COLUMN "groupingKey" TEXT;
ALTER TABLE "Incident" ADD COLUMN "lastAlertAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
-- Many clusters: the cluster the alert was routed to (CLUSTERS_FILE); null in the zero-config single-cluster setup.
ALTER TABLE "Incident" ADD COLUMN "cluster" TEXT;
ALTER TABLE "Plan" ADD COLUMN "cluster" TEXT;
CREATE INDEX "Incident_groupingKey_status_idx" ON "Incident"("groupingKey", "status");

CREATE TABLE "IncidentAlert" (
    "id" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "primary" BOOLEAN NOT NULL DEFAULT false,
    "title" TEXT NOT NULL,
    "alert" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'firing',
    "explained" BOOLEAN,
    "explanation" TEXT,
    "startedRound" INTEGER,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "IncidentAlert_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "IncidentAlert_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "IncidentAlert_key_key" ON "IncidentAlert"("key");
CREATE INDEX "IncidentAlert_incidentId_idx" ON "IncidentAlert"("incidentId");
