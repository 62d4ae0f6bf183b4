# syntax=docker/dockerfile:1
# Images for a deployment (docker-compose.yml): `app` runs the API, the worker and migrations from
# compiled JavaScript (no TypeScript compiler at run time); `render-worker` adds Debian's Chromium
# for proposal screenshots — only that image carries a browser.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY sdk ./sdk
COPY web ./web
COPY scripts ./scripts
# dist/ (the server, compiled) and web/dist/ (the web app), then only the runtime dependencies.
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE} AS app
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The browser SDK and the sample site are served from their sources (bundled once at start).
COPY --from=build /app/sdk ./sdk
USER node
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["api"]

FROM app AS render-worker
USER root
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
  && rm -rf /var/lib/apt/lists/*
ENV CHROMIUM_PATH=/usr/bin/chromium
USER node
CMD ["render-worker"]
