-- samples/sample_data.sql: a small shop to try tap-postgres on.
--
--   psql -d yourdb -f samples/sample_data.sql
--
-- Deterministic: the same rows every time (no random(), no now()).
-- Tables: customers (50), products (20), orders (300, with updated_at for
-- INCREMENTAL sync), order_items (~600); view customer_totals.
-- Grants SELECT to role "tap" when that role exists (scripts/demo.sh).

SET client_min_messages = warning;
SET TimeZone = 'UTC';

BEGIN;

CREATE TABLE customers (
    id          serial PRIMARY KEY,
    name        text NOT NULL,
    email       text NOT NULL UNIQUE,
    country     char(2) NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE products (
    id          serial PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    price       numeric(10,2) NOT NULL,
    tags        text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers,
    status      text NOT NULL,
    total       numeric(12,2) NOT NULL DEFAULT 0,
    note        text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX orders_updated_at ON orders (updated_at);

CREATE TABLE order_items (
    order_id    bigint NOT NULL REFERENCES orders,
    line_no     integer NOT NULL,
    product_id  integer NOT NULL REFERENCES products,
    quantity    integer NOT NULL,
    unit_price  numeric(10,2) NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

INSERT INTO customers (name, email, country, created_at)
SELECT (ARRAY['Ada','Brian','Chloé','Dmitri','Emeka','Fatima','Gustav','Hana',
              'Ines','Jun'])[1 + i % 10]
       || ' ' ||
       (ARRAY['Lovelace','Kernighan','Dubois','Ivanov','Okafor','Haddad',
              'Larsson','Sato','García'])[1 + (i * 7) % 9],
       'customer' || i || '@example.com',
       (ARRAY['GB','US','FR','DE','NG','JP','SE','ES'])[1 + i % 8],
       timestamptz '2023-06-01 09:00:00+00' + i * interval '3 days 5 hours'
FROM generate_series(1, 50) AS i;

INSERT INTO products (sku, name, price, tags)
SELECT 'SKU-' || lpad(i::text, 4, '0'),
       (ARRAY['Mug','T-shirt','Notebook','Sticker pack','Hoodie'])[1 + i % 5]
       || ' #' || i,
       round((4.5 + (i * 37) % 60 + (i % 4) * 0.25)::numeric, 2),
       CASE WHEN i % 3 = 0 THEN ARRAY['sale'] WHEN i % 3 = 1 THEN ARRAY['new', 'eco']
            ELSE '{}' END
FROM generate_series(1, 20) AS i;

INSERT INTO orders (customer_id, status, note, created_at, updated_at)
SELECT 1 + (i * 13) % 50,
       (ARRAY['new','paid','shipped','delivered','cancelled'])[1 + (i * 3) % 5],
       CASE WHEN i % 17 = 0 THEN 'gift wrap, please' END,
       timestamptz '2024-01-01 08:00:00+00' + i * interval '1 day 1 hour 7 minutes',
       timestamptz '2024-01-01 08:00:00+00' + i * interval '1 day 1 hour 7 minutes'
           + ((i * 37) % 72) * interval '1 hour'
FROM generate_series(1, 300) AS i;

INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT o.id, l, p.id, 1 + (o.id::int * l) % 4, p.price
FROM orders o
CROSS JOIN LATERAL generate_series(1, 1 + (o.id::int % 3)) AS l
JOIN products p ON p.id = 1 + (o.id::int * 7 + l * 3) % 20;

UPDATE orders o
SET total = s.total
FROM (SELECT order_id, sum(quantity * unit_price) AS total
      FROM order_items GROUP BY order_id) s
WHERE s.order_id = o.id;

CREATE VIEW customer_totals AS
SELECT c.id AS customer_id, c.name, count(o.id) AS orders,
       coalesce(sum(o.total), 0) AS total_spent,
       max(o.updated_at) AS last_order_update
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id AND o.status <> 'cancelled'
GROUP BY c.id, c.name;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'tap') THEN
        GRANT USAGE ON SCHEMA public TO tap;
        GRANT SELECT ON customers, products, orders, order_items,
                        customer_totals TO tap;
    END IF;
END
$$;

COMMIT;

-- Row counts in the catalog come from the planner's statistics.
ANALYZE customers, products, orders, order_items;
