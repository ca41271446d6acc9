# syntax=docker/dockerfile:1
# Build a static binary (pure-Go SQLite, no cgo) and run it as a non-root
# user on a distroless base. The database lives on the /data volume.
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
ENV LEADBOT_DB=/data/leadbot.db \
    LEADBOT_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/leadbot"]
