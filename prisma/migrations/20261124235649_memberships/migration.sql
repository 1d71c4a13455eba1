-- AlterTable
ALTER TABLE "users" ADD COLUMN     "last_login_at" TIMESTAMPTZ(3),
ADD COLUMN     "password_hash" TEXT,
ADD COLUMN     "role_id" TEXT;

-- CreateTable
CREATE TABLE "roles" (
    "project_id" UUID NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "permissions" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "roles_pkey" PRIMARY KEY ("project_id","id")
);

-- CreateTable
CREATE TABLE "invitations" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "invited_by" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "roles_project_id_name_key" ON "roles"("project_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations"("token_hash");

-- CreateIndex
CREATE INDEX "invitations_project_id_user_id_idx" ON "invitations"("project_id", "user_id");

-- CreateIndex
CREATE INDEX "users_project_id_role_id_idx" ON "users"("project_id", "role_id");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_project_id_role_id_fkey" FOREIGN KEY ("project_id", "role_id") REFERENCES "roles"("project_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roles" ADD CONSTRAINT "roles_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_project_id_user_id_fkey" FOREIGN KEY ("project_id", "user_id") REFERENCES "users"("project_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every existing project gets the two roles new projects start with (src/members/roles.ts).
INSERT INTO "roles" ("project_id", "id", "name", "permissions")
SELECT p."id", r."id", r."name", r."permissions"
FROM "projects" p
CROSS JOIN (VALUES
  ('admin', 'admin', ARRAY['users:read','users:write','channels:read','channels:write','organizations:read','organizations:write','tokens:write','members:write','roles:write']),
  ('member', 'member', ARRAY['users:read','channels:read','organizations:read'])
) AS r("id", "name", "permissions")
ON CONFLICT DO NOTHING;

-- Keys made with every scope there was keep having every scope, the new ones included.
UPDATE "api_keys" SET "scopes" = "scopes" || ARRAY['members:write','roles:write']
WHERE "scopes" @> ARRAY['users:read','users:write','channels:read','channels:write','organizations:read','organizations:write','tokens:write'];
