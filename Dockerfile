# The hub image for docker-compose.yml: dependencies and the console bundle built at image build time.
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && chown -R node:node /app
USER node
ENV DATA_DIR=/app/var
EXPOSE 8080
# `npm start` execs node, so docker stop's SIGTERM reaches the hub
CMD ["npm", "start"]
