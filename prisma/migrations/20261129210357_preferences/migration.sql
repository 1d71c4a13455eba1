-- CreateTable
CREATE TABLE "workflows" (
    "project_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT,
    "categories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "critical" BOOLEAN NOT NULL DEFAULT false,
    "commercial" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "workflows_pkey" PRIMARY KEY ("project_id","key")
);

-- CreateTable
CREATE TABLE "preference_sets" (
    "project_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "set_id" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "preference_sets_pkey" PRIMARY KEY ("project_id","user_id","set_id")
);

-- CreateTable
CREATE TABLE "default_preference_sets" (
    "project_id" UUID NOT NULL,
    "document" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "default_preference_sets_pkey" PRIMARY KEY ("project_id")
);

-- AddForeignKey
ALTER TABLE "workflows" ADD CONSTRAINT "workflows_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_sets" ADD CONSTRAINT "preference_sets_project_id_user_id_fkey" FOREIGN KEY ("project_id", "user_id") REFERENCES "users"("project_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "default_preference_sets" ADD CONSTRAINT "default_preference_sets_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
