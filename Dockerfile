# incident-bot: one image, three roles (ROLE=web|worker|all). TypeScript runs through tsx; no build step.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY prisma.config.ts ./
COPY prisma ./prisma
COPY src ./src
COPY bin ./bin
COPY scenarios ./scenarios
# The Prisma client is generated at build time; the runtime needs no Prisma engine (driver adapter).
RUN npm run db:generate && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# The image's `node` user by number, so that Kubernetes can check runAsNonRoot without a passwd lookup.
USER 1000:1000
# 3000: the web role's HTTP (Slack, webhooks); 9464: /metrics, /healthz and /readyz of every role.
EXPOSE 3000 9464
# Migrations run separately (the Deployment's init container): `node --import tsx src/store/migrate.ts`.
CMD ["node", "--import", "tsx", "src/main.ts"]
