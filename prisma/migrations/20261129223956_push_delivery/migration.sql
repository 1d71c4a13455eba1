-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('SENT', 'FAILED', 'TOKEN_REMOVED', 'SKIPPED');

-- AlterTable
ALTER TABLE "channels" ADD COLUMN     "credentials" TEXT,
ADD COLUMN     "credentials_fingerprint" TEXT;

-- CreateTable
CREATE TABLE "push_deliveries" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "channel_id" UUID,
    "provider" "ChannelProvider",
    "token_suffix" TEXT,
    "status" "DeliveryStatus" NOT NULL,
    "reason" TEXT,
    "provider_message_id" TEXT,
    "error_code" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "push_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "push_deliveries_project_id_created_at_id_idx" ON "push_deliveries"("project_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "push_deliveries_project_id_user_id_created_at_id_idx" ON "push_deliveries"("project_id", "user_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "push_deliveries_channel_id_idx" ON "push_deliveries"("channel_id");

-- AddForeignKey
ALTER TABLE "push_deliveries" ADD CONSTRAINT "push_deliveries_project_id_user_id_fkey" FOREIGN KEY ("project_id", "user_id") REFERENCES "users"("project_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "push_deliveries" ADD CONSTRAINT "push_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE SET NULL ON UPDATE CASCADE;
