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

-- A user's search terms: what the index holds for it, and what a query
-- checks a user's own terms against (there is no index by user: its terms
-- are recomputed from its row, which the query has read anyway). Ids and
-- emails are whole, and emails also by domain ("mail.example.org",
-- "example.org"; not the top level alone): every other word of an address
-- would cost an index entry per user for searches nobody makes.
CREATE FUNCTION user_search_terms_of(id TEXT, email TEXT, name TEXT, nickname TEXT)
RETURNS TABLE (term TEXT, whole BOOLEAN, address BOOLEAN)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT DISTINCT t.term, t.whole, f.address
  FROM (VALUES (id, true), (email, true), (name, false), (nickname, false)) AS f(value, address),
       search_terms_of(f.value) AS t
  WHERE t.whole OR NOT f.address OR (strpos(t.term, '@') = 0 AND strpos(t.term, '.') > 0)
$$;

-- The same for the triggers, in PL/pgSQL: not inlined, so the planner takes
-- ROWS for its size and joins a user's terms to the index by the whole key
-- (inlined, it guesses a thousand rows a user and scans the table instead).
CREATE FUNCTION user_search_terms_to_index(id TEXT, email TEXT, name TEXT, nickname TEXT)
RETURNS TABLE (term TEXT, whole BOOLEAN, address BOOLEAN)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE ROWS 8 AS $$
BEGIN
  RETURN QUERY SELECT * FROM user_search_terms_of(id, email, name, nickname);
END $$;

-- Inserts and deletes are handled a statement at a time: a bulk upsert
-- maintains the terms of all its new users in one statement. Updates row by
-- row, and only for rows whose searched fields changed (the trigger's WHEN):
-- most updates change none of them and then cost nothing here. The
-- statements touch a few index entries per user, found by the whole key: a
-- plan that reads the whole table (from misjudged sizes) or compiles itself
-- (JIT) would cost more than the write, so neither is allowed.
CREATE FUNCTION users_search_terms_insert() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  INSERT INTO user_search_terms (project_id, user_id, term, whole, address)
  SELECT n.project_id, n.id, t.term, t.whole, t.address
  FROM inserted_users n, user_search_terms_to_index(n.id, n.email, n.name, n.nickname) AS t
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION users_search_terms_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM user_search_terms t USING user_search_terms_to_index(OLD.id, OLD.email, OLD.name, OLD.nickname) AS ot
  WHERE t.project_id = OLD.project_id AND t.whole = ot.whole AND t.term = ot.term AND t.user_id = OLD.id AND t.address = ot.address;
  INSERT INTO user_search_terms (project_id, user_id, term, whole, address)
  SELECT NEW.project_id, NEW.id, t.term, t.whole, t.address FROM user_search_terms_to_index(NEW.id, NEW.email, NEW.name, NEW.nickname) AS t
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION users_search_terms_delete() RETURNS trigger LANGUAGE plpgsql SET jit = off SET enable_seqscan = off AS $$
BEGIN
  DELETE FROM user_search_terms t
  USING deleted_users o, user_search_terms_to_index(o.id, o.email, o.name, o.nickname) AS ot
  WHERE t.project_id = o.project_id AND t.whole = ot.whole AND t.term = ot.term AND t.user_id = o.id AND t.address = ot.address;
  RETURN NULL;
END $$;

CREATE FUNCTION users_search_terms_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE user_search_terms;
  RETURN NULL;
END $$;

CREATE TRIGGER users_search_terms_insert AFTER INSERT ON users
  REFERENCING NEW TABLE AS inserted_users FOR EACH STATEMENT EXECUTE FUNCTION users_search_terms_insert();
CREATE TRIGGER users_search_terms_update AFTER UPDATE ON users FOR EACH ROW
  WHEN ((OLD.project_id, OLD.id, OLD.email, OLD.name, OLD.nickname) IS DISTINCT FROM (NEW.project_id, NEW.id, NEW.email, NEW.name, NEW.nickname))
  EXECUTE FUNCTION users_search_terms_update();
CREATE TRIGGER users_search_terms_delete AFTER DELETE ON users
  REFERENCING OLD TABLE AS deleted_users FOR EACH STATEMENT EXECUTE FUNCTION users_search_terms_delete();
CREATE TRIGGER users_search_terms_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION users_search_terms_truncate();

-- The users already there.
INSERT INTO user_search_terms (project_id, user_id, term, whole, address)
SELECT u.project_id, u.id, t.term, t.whole, t.address
FROM users u, user_search_terms_to_index(u.id, u.email, u.name, u.nickname) AS t;
ANALYZE user_search_terms;
