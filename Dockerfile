# syntax=docker/dockerfile:1
# Build a static binary (pure-Go SQLite, no cgo) and run it as a non-root
# user on a distroless base. The database lives on the /data volume, the
# only place the bot writes: run it with --read-only (see docs/operations.md).
# cmd/leadbot's TestContainerReadOnlyNonRoot runs the binary with this
# file's USER and ENV on a read-only root with only the data directory
# writable.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/leadbot ./cmd/leadbot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leadbot /leadbot
COPY --from=build --chown=nonroot:nonroot /out/data /data
# SQLITE_TMPDIR: SQLite's temporary files (big sorts, statement journals)
# go to the data volume too, as the root filesystem is read-only.
ENV LEADBOT_DB=/data/leadbot.db \
    LEADBOT_ADDR=:8080 \
    SQLITE_TMPDIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
# The image has no shell or curl: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/leadbot", "health"]
ENTRYPOINT ["/leadbot"]
