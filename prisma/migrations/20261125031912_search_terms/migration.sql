-- DropIndex
DROP INDEX "users_email_trgm_idx";

-- DropIndex
DROP INDEX "users_id_trgm_idx";

-- CreateTable
CREATE TABLE "user_search_terms" (
    "project_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "term" TEXT COLLATE "C" NOT NULL,
    "whole" BOOLEAN NOT NULL,
    "address" BOOLEAN NOT NULL,

    CONSTRAINT "user_search_terms_pkey" PRIMARY KEY ("project_id","whole","term","user_id","address")
);

-- CreateIndex
CREATE INDEX "user_search_terms_project_id_user_id_idx" ON "user_search_terms"("project_id", "user_id");

-- A field's search terms: the whole field lower-cased, and the rest of it from
-- each word inside it on, a word starting where a letter or digit follows a
-- space or punctuation ("mail.example.org" -> "example.org", "org").
CREATE FUNCTION search_terms_of(field TEXT) RETURNS TABLE (term TEXT, whole BOOLEAN)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_string(pieces[n:], ''), n = 1
  FROM regexp_split_to_array(lower(field), '(?<=[[:space:][:punct:]])(?=[^[:space:][:punct:]])') AS pieces,
       generate_series(1, cardinality(pieces)) AS n
  WHERE field <> ''
$$;

CREATE FUNCTION user_search_terms_of(id TEXT, email TEXT, name TEXT, nickname TEXT)
RETURNS TABLE (term TEXT, whole BOOLEAN, address BOOLEAN)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT DISTINCT t.term, t.whole, f.address
  FROM (VALUES (id, true), (email, true), (name, false), (nickname, false)) AS f(value, address),
       search_terms_of(f.value) AS t
$$;

-- Statement-level triggers: a bulk upsert maintains the terms of all its users
-- in one statement each, and an update that changes none of the searched
-- fields (most of them) writes nothing.
CREATE FUNCTION users_search_terms_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO user_search_terms (project_id, user_id, term, whole, address)
  SELECT n.project_id, n.id, t.term, t.whole, t.address
  FROM inserted_users n, user_search_terms_of(n.id, n.email, n.name, n.nickname) AS t
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION users_search_terms_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM user_search_terms t USING old_users o
  WHERE t.project_id = o.project_id AND t.user_id = o.id
    AND NOT EXISTS (SELECT 1 FROM new_users n WHERE n.project_id = o.project_id AND n.id = o.id
                    AND (n.email, n.name, n.nickname) IS NOT DISTINCT FROM (o.email, o.name, o.nickname));
  INSERT INTO user_search_terms (project_id, user_id, term, whole, address)
  SELECT n.project_id, n.id, t.term, t.whole, t.address
  FROM new_users n, user_search_terms_of(n.id, n.email, n.name, n.nickname) AS t
  WHERE NOT EXISTS (SELECT 1 FROM old_users o WHERE o.project_id = n.project_id AND o.id = n.id
                    AND (n.email, n.name, n.nickname) IS NOT DISTINCT FROM (o.email, o.name, o.nickname))
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION users_search_terms_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM user_search_terms t USING deleted_users o WHERE t.project_id = o.project_id AND t.user_id = o.id;
  RETURN NULL;
END $$;

CREATE FUNCTION users_search_terms_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE user_search_terms;
  RETURN NULL;
END $$;

CREATE TRIGGER users_search_terms_insert AFTER INSERT ON users
  REFERENCING NEW TABLE AS inserted_users FOR EACH STATEMENT EXECUTE FUNCTION users_search_terms_insert();
CREATE TRIGGER users_search_terms_update AFTER UPDATE ON users
  REFERENCING OLD TABLE AS old_users NEW TABLE AS new_users FOR EACH STATEMENT EXECUTE FUNCTION users_search_terms_update();
CREATE TRIGGER users_search_terms_delete AFTER DELETE ON users
  REFERENCING OLD TABLE AS deleted_users FOR EACH STATEMENT EXECUTE FUNCTION users_search_terms_delete();
CREATE TRIGGER users_search_terms_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION users_search_terms_truncate();

-- The users already there.
INSERT INTO user_search_terms (project_id, user_id, term, whole, address)
SELECT u.project_id, u.id, t.term, t.whole, t.address
FROM users u, user_search_terms_of(u.id, u.email, u.name, u.nickname) AS t;
