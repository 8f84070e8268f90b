# globus-proxy: the Tapis GlobusProxy API. One image serves both the proxy and the emulator.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && useradd --system --uid 10001 proxy
USER proxy

EXPOSE 5000
# Production: talks to real Globus. Settings come from GLOBUS_PROXY_* environment variables.
CMD ["globus-proxy", "serve", "--host", "0.0.0.0", "--port", "5000"]
