-- bench/schema.sql: the benchmark's tables, made deterministically (every
-- value is arithmetic on the row number g, no random()), so every machine
-- gets the same table.  Used by bench/run.sh and bench/profile.sh:
--   SELECT bench_make_events('events', 1000000);
--   SELECT bench_make_wide(200000);
--
-- events (12 columns): the note text is ~100 characters; every 10th has a
-- quote and non-ASCII letters (JSON escaping, UTF-8 checks), every 50th a
-- tab and a backslash (COPY escapes). updated_at rises with g, with
-- jitter, so the INCREMENTAL order is close to but not the physical order.
-- wide (30 columns): mixed types, arrays, hstore, NULLs.

CREATE FUNCTION bench_events(lo bigint, hi bigint) RETURNS TABLE (
    id bigint, qty integer, big bigint, amount numeric(12,2),
    ratio double precision, active boolean, email varchar(64), note text,
    updated_at timestamptz, day date, ident uuid, attrs jsonb)
LANGUAGE sql IMMUTABLE AS $$
SELECT g,
       ((g * 7919) % 100000)::integer,
       g * 1000003 + 17,
       (((g * 104729) % 10000000) / 100.0)::numeric(12,2),
       g::float8 / 7.0,
       g % 3 = 0,
       ('user' || (g % 50000) || '@example.com')::varchar(64),
       CASE WHEN g % 50 = 0 THEN md5(g::text) || E' tab\there back\\slash '
                                 || md5((g + 1)::text) || ' ' || left(md5((g + 2)::text), 22)
            WHEN g % 10 = 0 THEN md5(g::text) || ' "naïve café" '
                                 || md5((g + 1)::text) || ' ' || left(md5((g + 2)::text), 22)
            ELSE md5(g::text) || ' ' || md5((g + 1)::text) || ' '
                 || left(md5((g + 2)::text), 34) END,
       timestamptz '2024-01-01 00:00:00+00'
           + (g * 3 - (g * 7919) % 1000) * interval '1 second'
           + ((g * 37) % 1000000) * interval '1 microsecond',
       date '2020-01-01' + (g % 2000)::integer,
       md5('ev' || g)::uuid,
       jsonb_build_object('k', g % 100, 'tag', 't' || (g % 7), 'ok', g % 2 = 0)
FROM generate_series(lo, hi) AS g
$$;

CREATE FUNCTION bench_make_events(tbl text, n bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I (
        id bigserial PRIMARY KEY, qty integer, big bigint,
        amount numeric(12,2), ratio double precision, active boolean,
        email varchar(64), note text, updated_at timestamptz, day date,
        ident uuid, attrs jsonb)', tbl);
    EXECUTE format('INSERT INTO %I SELECT * FROM bench_events(1, %s)', tbl, n);
    EXECUTE format('CREATE INDEX ON %I (updated_at)', tbl);
    PERFORM setval(pg_get_serial_sequence(tbl, 'id'), n);
END
$$;

CREATE FUNCTION bench_make_wide(n bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TABLE wide (
        id bigint PRIMARY KEY, c_int integer, c_small smallint, c_big bigint,
        c_num numeric(14,4), c_real real, c_dbl double precision, c_bool boolean,
        c_text text, c_vc varchar(40), c_char char(8), c_date date,
        c_ts timestamp, c_tstz timestamptz, c_time time, c_uuid uuid, c_json json,
        c_jsonb jsonb, c_int_arr integer[], c_text_arr text[], c_inet inet,
        c_interval interval, c_bytea bytea, c_null_int integer, c_null_text text,
        c_num2 numeric, c_bool2 boolean, c_tstz2 timestamptz, c_hstore hstore,
        c_citext citext);
    INSERT INTO wide
    SELECT g, ((g * 31) % 1000000)::integer, (g % 32000)::smallint, g * 7777777,
           ((g * 104729) % 100000000) / 10000.0, (g % 1000)::real / 8,
           g::float8 / 3.0, g % 2 = 0,
           'wide row ' || md5(g::text) || ' end', ('name-' || (g % 9999))::varchar(40),
           lpad((g % 99999999)::text, 8, '0'), date '2000-01-01' + (g % 9000)::integer,
           timestamp '2023-06-01 12:00:00' + g * interval '1.5 second',
           timestamptz '2023-06-01 12:00:00+00' + g * interval '2.25 second',
           time '00:00:00' + (g % 86400) * interval '1 second',
           md5('w' || g)::uuid,
           json_build_object('id', g, 'name', 'n' || (g % 100)),
           jsonb_build_object('a', g % 10, 'b', array[g % 3, g % 5]),
           array[g % 10, g % 100, g % 1000]::integer[],
           array['x' || (g % 7), 'y' || (g % 11)]::text[],
           ('10.' || (g % 256) || '.' || ((g / 256) % 256) || '.1')::inet,
           (g % 1000) * interval '1 minute',
           decode(md5(g::text), 'hex'),
           CASE WHEN g % 2 = 0 THEN (g % 500)::integer END,
           CASE WHEN g % 3 = 0 THEN 'sometimes ' || g END,
           (g * 3.14159)::numeric, g % 5 = 0,
           timestamptz '2020-01-01 00:00:00+00' + g * interval '1 minute',
           hstore(array['k', 'v'], array['key' || (g % 10), (g % 1000)::text]),
           ('Mixed Case ' || (g % 100))::citext
    FROM generate_series(1::bigint, n) AS g;
END
$$;

-- A table with PostGIS columns (the tap reads them through the server's
-- ST_AsGeoJSON). Needs CREATE EXTENSION postgis first (bench/run.sh does
-- it when --geo-rows is not 0).
CREATE FUNCTION bench_make_geo(n bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TABLE geo (
        id bigint PRIMARY KEY, name text,
        loc geometry(Point, 4326), area geometry(Polygon, 3857));
    INSERT INTO geo
    SELECT g, 'place ' || g,
           ST_SetSRID(ST_MakePoint(-180 + (g % 360000) / 1000.0 + g * 1e-9,
                                   -90 + (g % 180000) / 1000.0), 4326),
           ST_MakeEnvelope((g % 100000) * 10.5, (g / 100000) * 10.25,
                           (g % 100000) * 10.5 + 7.125, (g / 100000) * 10.25 + 3.5,
                           3857)
    FROM generate_series(1::bigint, n) AS g;
END
$$;

-- bench_make_small(n, rows): n tables small_1 .. small_n of rows rows each
-- (the many-streams case: per-stream overhead)
CREATE FUNCTION bench_make_small(n int, nrows int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        EXECUTE format('CREATE TABLE small_%s (id integer PRIMARY KEY, k integer NOT NULL, v text NOT NULL)', i);
        EXECUTE format('INSERT INTO small_%s SELECT g, g %% 97, md5(g::text) FROM generate_series(1, %s) g', i, nrows);
    END LOOP;
END $$;
