-- Shared rate-limit counters (src/server/shared-rate-limit.ts, through rate-limiter-flexible):
-- the per-API-key burst limit and the per-IP failed-authentication limit, counted by every API
-- instance together in server mode. `key` is `<limiter>:<API key id or client IP>`, `points` the
-- count of the current window, `expire` its end in epoch milliseconds. Rows expired for more
-- than an hour are deleted by the limiter every 5 minutes. Unused on the embedded default.
CREATE TABLE IF NOT EXISTS rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
