-- An executing plan is leased by one executor, which renews the lease while it runs; a plan whose lease lapsed
-- lost its executor and is taken over (state read back, verified or rolled back).
ALTER TABLE "Plan" ADD COLUMN "leaseOwner" TEXT;
ALTER TABLE "Plan" ADD COLUMN "leaseExpiresAt" TIMESTAMP(3);
CREATE INDEX "Plan_status_leaseExpiresAt_idx" ON "Plan"("status", "leaseExpiresAt");
