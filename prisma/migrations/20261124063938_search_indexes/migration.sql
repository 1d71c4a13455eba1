-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "cursor_secret" TEXT NOT NULL DEFAULT (gen_random_uuid())::text;

-- CreateIndex
CREATE INDEX "channel_settings_settings_idx" ON "channel_settings" USING GIN ("settings" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "users_id_trgm_idx" ON "users" USING GIN ("id" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "users_email_trgm_idx" ON "users" USING GIN ("email" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "users_name_trgm_idx" ON "users" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "users_nickname_trgm_idx" ON "users" USING GIN ("nickname" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "users_phone_number_trgm_idx" ON "users" USING GIN ("phone_number" gin_trgm_ops);
