-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('WEB', 'IOS', 'ANDROID', 'DESKTOP');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "dark_mode" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "developer_mode" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "has_push_token" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "platforms" "Platform"[] DEFAULT ARRAY[]::"Platform"[],
ADD COLUMN     "sessions_count" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "user_agent" TEXT,
    "device" JSONB,
    "os" JSONB,
    "browser" JSONB,
    "app" JSONB,
    "locale" TEXT,
    "timezone" TEXT,
    "country" TEXT,
    "city" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_platforms" (
    "project_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "device" JSONB,
    "os" JSONB,
    "browser" JSONB,
    "app" JSONB,
    "sessions_count" INTEGER NOT NULL DEFAULT 0,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_platforms_pkey" PRIMARY KEY ("project_id","user_id","platform")
);

-- CreateIndex
CREATE INDEX "sessions_project_id_user_id_platform_last_seen_at_idx" ON "sessions"("project_id", "user_id", "platform", "last_seen_at");

-- CreateIndex
CREATE INDEX "sessions_project_id_user_id_started_at_idx" ON "sessions"("project_id", "user_id", "started_at");

-- CreateIndex
CREATE INDEX "sessions_last_seen_at_idx" ON "sessions"("last_seen_at");

-- CreateIndex
CREATE INDEX "users_project_id_sessions_count_id_idx" ON "users"("project_id", "sessions_count", "id");

-- CreateIndex
CREATE INDEX "users_project_id_has_push_token_last_seen_at_id_idx" ON "users"("project_id", "has_push_token", "last_seen_at", "id");

-- CreateIndex
CREATE INDEX "users_platforms_idx" ON "users" USING GIN ("platforms");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_project_id_user_id_fkey" FOREIGN KEY ("project_id", "user_id") REFERENCES "users"("project_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_platforms" ADD CONSTRAINT "user_platforms_project_id_user_id_fkey" FOREIGN KEY ("project_id", "user_id") REFERENCES "users"("project_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- users.has_push_token: whether the user holds a push token or a web push
-- subscription, kept here whoever writes either, so that hasPushToken is one index.
CREATE FUNCTION user_has_push_token(project UUID, "user" TEXT, subscriptions JSONB) RETURNS BOOLEAN
  LANGUAGE sql STABLE AS $$
  SELECT jsonb_array_length(coalesce(subscriptions, '[]'::jsonb)) > 0
    OR EXISTS (SELECT 1 FROM push_tokens t WHERE t.project_id = project AND t.user_id = "user")
$$;

CREATE FUNCTION users_has_push_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.has_push_token := user_has_push_token(NEW.project_id, NEW.id, NEW.web_push_subscriptions);
  RETURN NEW;
END $$;

-- A new user has no push token yet (push_tokens refer to it), so bulk inserts
-- look at nothing else; an upsert's update is checked in full below.
CREATE FUNCTION users_has_push_token_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.has_push_token := jsonb_array_length(coalesce(NEW.web_push_subscriptions, '[]'::jsonb)) > 0;
  RETURN NEW;
END $$;

CREATE TRIGGER users_has_push_token_insert BEFORE INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION users_has_push_token_insert();
CREATE TRIGGER users_has_push_token_update BEFORE UPDATE ON users
  FOR EACH ROW WHEN (OLD.web_push_subscriptions IS DISTINCT FROM NEW.web_push_subscriptions
                     OR OLD.has_push_token IS DISTINCT FROM NEW.has_push_token)
  EXECUTE FUNCTION users_has_push_token();

-- Row by row: a user's tokens change a few at a time, and the update is skipped when nothing changes.
CREATE FUNCTION push_tokens_has_push_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE users u SET has_push_token = user_has_push_token(u.project_id, u.id, u.web_push_subscriptions)
    WHERE u.project_id = OLD.project_id AND u.id = OLD.user_id
      AND u.has_push_token IS DISTINCT FROM user_has_push_token(u.project_id, u.id, u.web_push_subscriptions);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE users u SET has_push_token = true
    WHERE u.project_id = NEW.project_id AND u.id = NEW.user_id AND NOT u.has_push_token;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER push_tokens_has_push_token AFTER INSERT OR DELETE OR UPDATE OF project_id, user_id ON push_tokens
  FOR EACH ROW EXECUTE FUNCTION push_tokens_has_push_token();

-- Users who already hold either.
UPDATE users u SET has_push_token = true
WHERE jsonb_array_length(u.web_push_subscriptions) > 0
   OR EXISTS (SELECT 1 FROM push_tokens t WHERE t.project_id = u.project_id AND t.user_id = u.id);
