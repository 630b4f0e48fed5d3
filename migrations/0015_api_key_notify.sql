-- Announce every change that can make an API key stop authenticating, or authenticate as
-- someone else, on the `hivegraph_api_keys` channel when its transaction commits: a key's
-- revocation, tier, hash or user changing, a key or user deleted, a user's role or handle
-- changing. The servers' auth caches (src/services/auth.service.ts) listen and drop what the
-- payload names (`key:<id>` or `user:<id>`). Triggers, not application code, so a change made
-- by hand in SQL is heard as well.

CREATE FUNCTION hivegraph_notify_api_key_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hivegraph_api_keys', 'key:' || OLD.id::text);
  RETURN NULL;
END;
$$;

CREATE FUNCTION hivegraph_notify_user_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hivegraph_api_keys', 'user:' || OLD.id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_notify_update AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.tier IS DISTINCT FROM NEW.tier
        OR OLD.key_hash IS DISTINCT FROM NEW.key_hash OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.org_id IS DISTINCT FROM NEW.org_id)
  EXECUTE FUNCTION hivegraph_notify_api_key_change();
CREATE TRIGGER api_keys_notify_delete AFTER DELETE ON api_keys FOR EACH ROW
  EXECUTE FUNCTION hivegraph_notify_api_key_change();

CREATE TRIGGER users_notify_update AFTER UPDATE ON users FOR EACH ROW
  WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.handle IS DISTINCT FROM NEW.handle
        OR OLD.org_id IS DISTINCT FROM NEW.org_id)
  EXECUTE FUNCTION hivegraph_notify_user_change();
CREATE TRIGGER users_notify_delete AFTER DELETE ON users FOR EACH ROW
  EXECUTE FUNCTION hivegraph_notify_user_change();
