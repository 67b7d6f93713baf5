-- A script read with .read
CREATE TABLE animals (name text PRIMARY KEY, legs integer);
INSERT INTO animals VALUES ('cat', 4), ('bird', 2);
.mode csv
SELECT * FROM animals ORDER BY name;
SELECT nope FROM animals;
.mode table
