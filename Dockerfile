# kalam-chaos with a kalamdb-server binary, for nightly crash-recovery campaigns:
#   docker build --build-arg KALAMDB_IMAGE=jamals86/kalamdb:latest -t kalam-chaos .
#   docker run --rm -v "$PWD/runs:/runs" kalam-chaos run kill-mid-flush \
#     --target kalamdb --server-bin /usr/local/bin/kalamdb-server --out /runs
# kalamdb-server comes from KalamDB's public image (a debian:bookworm-slim base, like this one).
ARG KALAMDB_IMAGE=jamals86/kalamdb:latest

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY chaos ./chaos
COPY src ./src
COPY scripts/kalamdb-server-reference scripts/nightly ./scripts/
RUN npm run build && npm prune --omit=dev

FROM ${KALAMDB_IMAGE} AS kalamdb

FROM node:20-bookworm-slim
# strace: syscall-precise kills (run kill-mid-flush --precise); needs ptrace in the container.
# python3 + libfuse2/fuse3 + fusepy: lossfs, for power-loss (needs --device /dev/fuse --cap-add SYS_ADMIN);
# rocksdict: kalamdb corruption campaigns evict the damaged scope's manifest cache entry.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends strace python3 python3-venv libfuse2 fuse3 \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/kalam-chaos-python \
    && /opt/kalam-chaos-python/bin/pip install --no-cache-dir fusepy==3.0.1 rocksdict==0.3.29
ENV PYTHON=/opt/kalam-chaos-python/bin/python
# A non-root user with a fixed id (10001), owner of /runs.
RUN groupadd --system --gid 10001 chaos \
    && useradd --system --uid 10001 --gid chaos --home-dir /runs --shell /usr/sbin/nologin chaos \
    && mkdir -p /runs \
    && chown chaos:chaos /runs
COPY --from=kalamdb /usr/local/bin/kalamdb-server /usr/local/bin/kalamdb-server
COPY --from=build /app/package.json /app/package-lock.json /app/
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/dist /app/dist
COPY --from=build /app/bin /app/bin
COPY --from=build /app/scripts /app/scripts
COPY --from=build /app/src/power-loss/lossfs.py /app/src/power-loss/lossfs.py
COPY --from=build /app/src/nemesis/manifest-cache.py /app/src/nemesis/manifest-cache.py
ENV NODE_ENV=production
USER 10001:10001
WORKDIR /runs
VOLUME /runs
ENTRYPOINT ["node", "/app/bin/kalam-chaos.js"]
CMD ["--help"]
