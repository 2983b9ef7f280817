-- The requeue sweep (src/worker/requeue-unstarted.ts) runs every minute and reads the incidents still `triggered`
-- a while after they were accepted; without this index it scans every incident the bot ever opened.
CREATE INDEX "Incident_status_updatedAt_idx" ON "Incident"("status", "updatedAt");
