-- CreateEnum
CREATE TYPE "PlanStatus" AS ENUM ('proposed', 'approved', 'executing', 'succeeded', 'failed', 'rolled_back', 'rejected', 'expired', 'stale');

-- CreateEnum
CREATE TYPE "PlanRisk" AS ENUM ('low', 'medium', 'high');

-- CreateEnum
CREATE TYPE "ApprovalDecision" AS ENUM ('approve', 'reject');

-- CreateTable
CREATE TABLE "Plan" (
    "id" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,
    "status" "PlanStatus" NOT NULL DEFAULT 'proposed',
    "risk" "PlanRisk" NOT NULL,
    "summary" TEXT NOT NULL,
    "action" JSONB NOT NULL,
    "spec" JSONB NOT NULL,
    "requestedBy" TEXT,
    "requiredApprovals" INTEGER NOT NULL,
    "slackChannel" TEXT,
    "slackThreadTs" TEXT,
    "slackTs" TEXT,
    "messageVersion" INTEGER NOT NULL DEFAULT 0,
    "snapshot" JSONB,
    "statusReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "decision" "ApprovalDecision" NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Plan_incidentId_idx" ON "Plan"("incidentId");

-- CreateIndex
CREATE UNIQUE INDEX "Approval_planId_userId_key" ON "Approval"("planId", "userId");

-- AddForeignKey
ALTER TABLE "Plan" ADD CONSTRAINT "Plan_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
