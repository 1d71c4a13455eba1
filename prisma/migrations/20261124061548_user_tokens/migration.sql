-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "token_signing_secret" TEXT;
