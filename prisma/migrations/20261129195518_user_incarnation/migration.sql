-- AlterTable
ALTER TABLE "users" ADD COLUMN     "incarnation" UUID NOT NULL DEFAULT gen_random_uuid();
