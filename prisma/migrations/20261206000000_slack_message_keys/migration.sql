-- Every message the bot posts, by its message key, before it is posted: a retry that finds the key without a ts
-- looks for the message in Slack (its metadata carries the key) instead of posting it twice.
CREATE TABLE "SlackMessage" (
    "key" TEXT NOT NULL,
    "incidentId" TEXT,
    "channel" TEXT NOT NULL,
    "threadTs" TEXT,
    "ts" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SlackMessage_pkey" PRIMARY KEY ("key")
);
