-- trackActivity in one round trip (src/activity/track-activity.ts): the user's
-- row lock, then the activity recorded. A VOLATILE function's statements each
-- take a fresh snapshot, so what follows the lock sees what the activity before
-- it committed: concurrent activity of one user queues up and never opens two
-- sessions. The session on the platform whose span (widened by the idle gap)
-- holds the activity goes on; otherwise a new one starts and is counted on the
-- user and the platform. lastSeenAt only moves forward; the user's sessions past
-- the retention go on the way. No row: no such user within the caller's reach
-- (`reachable`: the member's organizations, NULL for all of the project).
CREATE FUNCTION track_activity(
  project UUID, "user" TEXT, reachable TEXT[], on_platform "Platform", seen_at TIMESTAMPTZ, idle INTERVAL, kept_since TIMESTAMPTZ,
  given_user_agent TEXT, given_device JSONB, given_os JSONB, given_browser JSONB, given_app JSONB,
  given_locale TEXT, given_timezone TEXT, given_country TEXT, given_city TEXT
) RETURNS TABLE (
  id UUID, platform "Platform", "userAgent" TEXT, device JSONB, os JSONB, browser JSONB, app JSONB, locale TEXT, timezone TEXT,
  country TEXT, city TEXT, "startedAt" TIMESTAMPTZ, "lastSeenAt" TIMESTAMPTZ, "isNew" BOOLEAN
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  continued UUID;
BEGIN
  PERFORM FROM users u
  WHERE u.project_id = project AND u.id = "user" AND (reachable IS NULL OR u.organization_id = ANY (reachable))
  FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;

  SELECT s.id INTO continued FROM sessions s
  WHERE s.project_id = project AND s.user_id = "user" AND s.platform = on_platform
    AND s.last_seen_at >= seen_at - idle AND s.started_at <= seen_at + idle
  ORDER BY s.last_seen_at DESC LIMIT 1;

  IF continued IS NOT NULL THEN
    RETURN QUERY
    UPDATE sessions s SET
      started_at = least(s.started_at, seen_at), last_seen_at = greatest(s.last_seen_at, seen_at),
      user_agent = coalesce(given_user_agent, s.user_agent), device = coalesce(given_device, s.device),
      os = coalesce(given_os, s.os), browser = coalesce(given_browser, s.browser), app = coalesce(given_app, s.app),
      locale = coalesce(given_locale, s.locale), timezone = coalesce(given_timezone, s.timezone),
      country = coalesce(given_country, s.country), city = coalesce(given_city, s.city)
    WHERE s.id = continued
    RETURNING s.id, s.platform, s.user_agent, s.device, s.os, s.browser, s.app, s.locale, s.timezone, s.country, s.city,
      s.started_at::timestamptz, s.last_seen_at::timestamptz, false;
  ELSE
    RETURN QUERY
    INSERT INTO sessions AS s (id, project_id, user_id, platform, user_agent, device, os, browser, app, locale, timezone, country, city,
      started_at, last_seen_at)
    VALUES (gen_random_uuid(), project, "user", on_platform, given_user_agent, given_device, given_os, given_browser, given_app,
      given_locale, given_timezone, given_country, given_city, seen_at, seen_at)
    RETURNING s.id, s.platform, s.user_agent, s.device, s.os, s.browser, s.app, s.locale, s.timezone, s.country, s.city,
      s.started_at::timestamptz, s.last_seen_at::timestamptz, true;
  END IF;

  INSERT INTO user_platforms AS p (project_id, user_id, platform, device, os, browser, app, sessions_count, last_seen_at)
  VALUES (project, "user", on_platform, given_device, given_os, given_browser, given_app, CASE WHEN continued IS NULL THEN 1 ELSE 0 END,
    seen_at)
  ON CONFLICT (project_id, user_id, platform) DO UPDATE SET
    sessions_count = p.sessions_count + EXCLUDED.sessions_count,
    last_seen_at = greatest(p.last_seen_at, EXCLUDED.last_seen_at),
    -- The latest activity tells what the user has now; older activity only fills gaps.
    device = CASE WHEN EXCLUDED.last_seen_at >= p.last_seen_at THEN coalesce(EXCLUDED.device, p.device) ELSE coalesce(p.device, EXCLUDED.device) END,
    os = CASE WHEN EXCLUDED.last_seen_at >= p.last_seen_at THEN coalesce(EXCLUDED.os, p.os) ELSE coalesce(p.os, EXCLUDED.os) END,
    browser = CASE WHEN EXCLUDED.last_seen_at >= p.last_seen_at THEN coalesce(EXCLUDED.browser, p.browser) ELSE coalesce(p.browser, EXCLUDED.browser) END,
    app = CASE WHEN EXCLUDED.last_seen_at >= p.last_seen_at THEN coalesce(EXCLUDED.app, p.app) ELSE coalesce(p.app, EXCLUDED.app) END;

  UPDATE users u SET
    sessions_count = u.sessions_count + CASE WHEN continued IS NULL THEN 1 ELSE 0 END,
    last_seen_at = greatest(u.last_seen_at, seen_at),
    platforms = CASE WHEN on_platform = ANY (u.platforms) THEN u.platforms ELSE array_append(coalesce(u.platforms, '{}'), on_platform) END
  WHERE u.project_id = project AND u.id = "user";

  -- The session just written is within the retention: its activity had to be.
  DELETE FROM sessions s WHERE s.project_id = project AND s.user_id = "user" AND s.last_seen_at < kept_since;
END $$;
