//! System relations: the parts of `pg_catalog` and `information_schema` that
//! PostgreSQL clients query (psql's `\d` family, drivers' metadata calls, ORMs'
//! start-up checks, pgbench).
//!
//! The binder calls [`relation`] for a name it finds neither among the tables nor
//! the views of the catalog; names come qualified (`pg_catalog.pg_class`,
//! `information_schema.tables`) or bare (`pg_class`: `pg_catalog` is always on the
//! search path). Each relation is computed from the statement's catalog snapshot at
//! bind time and becomes a [`Node::Values`] of constants, so it costs nothing to
//! plan around and is consistent with the rest of the statement. The one exception
//! is `pg_roles`/`pg_user`: roles are rows of the `cachet_roles` table (which the
//! PostgreSQL server creates; see `cachet-pg`), so those relations are a projection
//! of a scan of it, and see the statement's snapshot like any table.
//!
//! Object identifiers are made up but stable within a catalog: namespaces use
//! PostgreSQL's (`pg_catalog` 11, `public` 2200), tables and secondary indexes are
//! 16384 plus their catalog id, a primary key index is `PK_OID_BASE` plus its
//! table's id, and views, which have no id, hash their name into a range of their
//! own. Every object is owned by OID 10, which every role also shows as its OID. Type OIDs are PostgreSQL's ([`DataType::oid`]). OID columns are
//! `integer` here (the engine has no `oid` type), `name` and `"char"` columns are
//! `text`, and `int2vector`/`oidvector` columns are `smallint[]`/`integer[]`.
//!
//! Catalog columns that hold expressions in PostgreSQL (`pg_attrdef.adbin`,
//! `pg_constraint.conbin`) hold the SQL text, which is what `pg_get_expr` would
//! return for them.
//!
//! Only the `public` schema holds user objects. `cachet_roles` is listed under
//! `pg_catalog`, like PostgreSQL's `pg_authid`, so that it does not show among the
//! user's tables.

use super::binder::{Binder, OutputColumn, QueryPlan};
use super::expr::Expr;
use super::plan::{Access, Node, Scan, TableRef};
use crate::catalog::{Catalog, Table};
use crate::error::Result;
use crate::types::{Array, DataType, Value};
use std::sync::Arc;

/// The name of the roles table kept by the PostgreSQL server.
pub const ROLES_TABLE: &str = "cachet_roles";
/// The database name reported by `pg_database` and `information_schema`.
pub const DATABASE_NAME: &str = "cachet";

const NS_PG_CATALOG: i32 = 11;
const NS_PUBLIC: i32 = 2200;
const NS_INFORMATION_SCHEMA: i32 = 13_000;
const FIRST_USER_OID: i32 = 16_384;
const PK_OID_BASE: i32 = 0x4000_0000;
const VIEW_OID_BASE: i32 = 0x5000_0000;
/// The owner of every object (PostgreSQL's bootstrap superuser).
const OWNER_OID: i32 = 10;

/// Binds a system relation by name, if it is one.
pub fn relation(binder: &mut Binder, name: &str) -> Result<Option<QueryPlan>> {
    let (schema, rel) = match name.split_once('.') {
        Some((s, r)) => (Some(s), r),
        None => (None, name),
    };
    let catalog = binder.catalog;
    let built = match schema {
        None | Some("pg_catalog") => pg_catalog(binder, catalog, rel)?,
        Some("information_schema") => information_schema(binder, catalog, rel),
        _ => None,
    };
    Ok(built)
}

/// A relation under construction: columns and constant rows.
struct Rel {
    columns: Vec<OutputColumn>,
    rows: Vec<Vec<Value>>,
}

impl Rel {
    fn new(columns: &[(&str, DataType)]) -> Rel {
        Rel {
            columns: columns.iter().map(|(n, t)| OutputColumn { name: n.to_string(), ty: t.clone() }).collect(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width of a system relation");
        self.rows.push(row);
    }

    fn plan(self) -> QueryPlan {
        let width = self.columns.len();
        let root = if self.rows.is_empty() {
            Node::Empty { width }
        } else {
            let types: Vec<DataType> = self.columns.iter().map(|c| c.ty.clone()).collect();
            let rows = self
                .rows
                .into_iter()
                .map(|r| r.into_iter().zip(&types).map(|(v, t)| Expr::Const(v, t.clone())).collect())
                .collect();
            Node::Values { rows, width }
        };
        QueryPlan { root, columns: self.columns }
    }
}

// Column types of catalog columns.
const OID: DataType = DataType::Int4;
const NAME: DataType = DataType::Text;
const CHAR: DataType = DataType::Text;
const TEXT: DataType = DataType::Text;
const BOOL: DataType = DataType::Bool;
const INT2: DataType = DataType::Int2;
const INT4: DataType = DataType::Int4;
const FLOAT4: DataType = DataType::Float4;

fn text_array() -> DataType {
    DataType::Array(Box::new(DataType::Text))
}

fn int2_array() -> DataType {
    DataType::Array(Box::new(DataType::Int2))
}

fn oid_array() -> DataType {
    DataType::Array(Box::new(DataType::Int4))
}

fn t(s: &str) -> Value {
    Value::text(s)
}

fn b(v: bool) -> Value {
    Value::Bool(v)
}

fn i(v: i32) -> Value {
    Value::Int4(v)
}

fn s(v: i16) -> Value {
    Value::Int2(v)
}

fn null() -> Value {
    Value::Null
}

fn array(element_type: DataType, items: Vec<Value>) -> Value {
    Value::Array(Arc::new(Array { element_type, items }))
}

/// A stable hash of a name into 28 bits (FNV-1a).
fn name_hash(name: &str) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for byte in name.bytes() {
        h ^= byte as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    (h & 0x0fff_ffff) as i32
}

fn table_oid(table: &Table) -> i32 {
    FIRST_USER_OID + table.schema.id as i32
}

fn pk_oid(table: &Table) -> i32 {
    PK_OID_BASE + table.schema.id as i32
}

fn index_oid(id: u32) -> i32 {
    FIRST_USER_OID + id as i32
}

fn view_oid(name: &str) -> i32 {
    VIEW_OID_BASE + name_hash(name)
}

/// The namespace a table is listed in.
fn table_namespace(table: &Table) -> (i32, &'static str) {
    if table.schema.name == ROLES_TABLE {
        (NS_PG_CATALOG, "pg_catalog")
    } else {
        (NS_PUBLIC, "public")
    }
}

/// PostgreSQL's internal type name (`typname`).
fn type_name(ty: &DataType) -> String {
    use DataType::*;
    match ty {
        Bool => "bool".into(),
        Int2 => "int2".into(),
        Int4 => "int4".into(),
        Int8 => "int8".into(),
        Float4 => "float4".into(),
        Float8 => "float8".into(),
        Numeric(_) => "numeric".into(),
        Text => "text".into(),
        Varchar(_) => "varchar".into(),
        Char(_) => "bpchar".into(),
        Bytea => "bytea".into(),
        Date => "date".into(),
        Time => "time".into(),
        Timestamp => "timestamp".into(),
        TimestampTz => "timestamptz".into(),
        Interval => "interval".into(),
        Uuid => "uuid".into(),
        Json => "json".into(),
        Jsonb => "jsonb".into(),
        Array(e) => format!("_{}", type_name(e)),
        Unknown => "unknown".into(),
    }
}

/// The base types the engine has, in OID order of PostgreSQL's catalog.
fn base_types() -> Vec<DataType> {
    use DataType::*;
    vec![
        Bool,
        Bytea,
        Int8,
        Int2,
        Int4,
        Text,
        Json,
        Float4,
        Float8,
        Unknown,
        Char(None),
        Varchar(None),
        Date,
        Time,
        Timestamp,
        TimestampTz,
        Interval,
        Numeric(None),
        Uuid,
        Jsonb,
    ]
}

/// `typcategory`.
fn type_category(ty: &DataType) -> &'static str {
    use DataType::*;
    match ty {
        Bool => "B",
        Int2 | Int4 | Int8 | Float4 | Float8 | Numeric(_) => "N",
        Text | Varchar(_) | Char(_) => "S",
        Date | Time | Timestamp | TimestampTz => "D",
        Interval => "T",
        Array(_) => "A",
        Unknown => "X",
        Bytea | Uuid | Json | Jsonb => "U",
    }
}

/// `typalign`.
fn type_align(ty: &DataType) -> &'static str {
    use DataType::*;
    match ty {
        Bool | Uuid | Unknown => "c",
        Int2 => "s",
        Int8 | Float8 | Time | Timestamp | TimestampTz | Interval => "d",
        Array(e) if matches!(**e, Int8 | Float8 | Time | Timestamp | TimestampTz | Interval) => "d",
        _ => "i",
    }
}

/// `format_type(oid, typmod)`, as information_schema's `data_type` spells it.
fn sql_type_name(ty: &DataType) -> String {
    use DataType::*;
    match ty {
        Array(_) => "ARRAY".into(),
        Numeric(_) => "numeric".into(),
        Varchar(_) => "character varying".into(),
        Char(_) => "character".into(),
        t => t.to_string(),
    }
}

/// The columns of a view, by binding its query. `None` if it no longer binds.
fn view_columns(
    binder: &Binder,
    catalog: &Catalog,
    sql: &str,
    names: Option<&Vec<String>>,
) -> Option<Vec<OutputColumn>> {
    let stmts = crate::sql::parser::parse(sql).ok()?;
    let stmt = stmts.first()?;
    let mut b = Binder::new(catalog, &stmt.text, binder.tz);
    let bound = b.bind(&stmt.ast).ok()?;
    let mut cols = bound.columns().to_vec();
    if let Some(names) = names {
        for (c, n) in cols.iter_mut().zip(names) {
            c.name = n.clone();
        }
    }
    Some(cols)
}

fn pg_catalog(binder: &mut Binder, catalog: &Catalog, name: &str) -> Result<Option<QueryPlan>> {
    Ok(Some(
        match name {
            "pg_namespace" => pg_namespace(),
            "pg_class" => pg_class(binder, catalog),
            "pg_attribute" => pg_attribute(binder, catalog),
            "pg_type" => pg_type(),
            "pg_index" => pg_index(catalog),
            "pg_constraint" => pg_constraint(catalog),
            "pg_attrdef" => pg_attrdef(catalog),
            "pg_database" => pg_database(),
            "pg_roles" => return Ok(Some(roles(catalog, RolesView::Roles))),
            "pg_user" => return Ok(Some(roles(catalog, RolesView::User))),
            "pg_am" => pg_am(),
            "pg_tables" => pg_tables(catalog),
            "pg_views" => pg_views(catalog),
            "pg_indexes" => pg_indexes(catalog),
            "pg_collation" => pg_collation(),
            "pg_tablespace" => pg_tablespace(),
            "pg_description" => {
                Rel::new(&[("objoid", OID), ("classoid", OID), ("objsubid", INT4), ("description", TEXT)])
            }
            "pg_inherits" => {
                Rel::new(&[("inhrelid", OID), ("inhparent", OID), ("inhseqno", INT4), ("inhdetachpending", BOOL)])
            }
            "pg_partitioned_table" => Rel::new(&[
                ("partrelid", OID),
                ("partstrat", CHAR),
                ("partnatts", INT2),
                ("partdefid", OID),
                ("partattrs", int2_array()),
                ("partclass", oid_array()),
                ("partcollation", oid_array()),
                ("partexprs", TEXT),
            ]),
            "pg_auth_members" => {
                Rel::new(&[("oid", OID), ("roleid", OID), ("member", OID), ("grantor", OID), ("admin_option", BOOL)])
            }
            "pg_trigger" => Rel::new(&[
                ("oid", OID),
                ("tgrelid", OID),
                ("tgparentid", OID),
                ("tgname", NAME),
                ("tgfoid", OID),
                ("tgtype", INT2),
                ("tgenabled", CHAR),
                ("tgisinternal", BOOL),
                ("tgconstrrelid", OID),
                ("tgconstrindid", OID),
                ("tgconstraint", OID),
                ("tgdeferrable", BOOL),
                ("tginitdeferred", BOOL),
                ("tgnargs", INT2),
                ("tgattr", int2_array()),
                ("tgqual", TEXT),
            ]),
            "pg_rewrite" => Rel::new(&[
                ("oid", OID),
                ("rulename", NAME),
                ("ev_class", OID),
                ("ev_type", CHAR),
                ("ev_enabled", CHAR),
                ("is_instead", BOOL),
                ("ev_qual", TEXT),
                ("ev_action", TEXT),
            ]),
            "pg_policy" => Rel::new(&[
                ("oid", OID),
                ("polname", NAME),
                ("polrelid", OID),
                ("polcmd", CHAR),
                ("polpermissive", BOOL),
                ("polroles", oid_array()),
                ("polqual", TEXT),
                ("polwithcheck", TEXT),
            ]),
            "pg_statistic_ext" => Rel::new(&[
                ("oid", OID),
                ("stxrelid", OID),
                ("stxname", NAME),
                ("stxnamespace", OID),
                ("stxowner", OID),
                ("stxstattarget", INT4),
                ("stxkeys", int2_array()),
                ("stxkind", text_array()),
                ("stxexprs", TEXT),
            ]),
            "pg_publication" => Rel::new(&[
                ("oid", OID),
                ("pubname", NAME),
                ("pubowner", OID),
                ("puballtables", BOOL),
                ("pubinsert", BOOL),
                ("pubupdate", BOOL),
                ("pubdelete", BOOL),
                ("pubtruncate", BOOL),
                ("pubviaroot", BOOL),
            ]),
            "pg_publication_rel" => Rel::new(&[
                ("oid", OID),
                ("prpubid", OID),
                ("prrelid", OID),
                ("prqual", TEXT),
                ("prattrs", int2_array()),
            ]),
            "pg_publication_namespace" => Rel::new(&[("oid", OID), ("pnpubid", OID), ("pnnspid", OID)]),
            "pg_extension" => Rel::new(&[
                ("oid", OID),
                ("extname", NAME),
                ("extowner", OID),
                ("extnamespace", OID),
                ("extrelocatable", BOOL),
                ("extversion", TEXT),
                ("extconfig", oid_array()),
                ("extcondition", text_array()),
            ]),
            "pg_enum" => Rel::new(&[("oid", OID), ("enumtypid", OID), ("enumsortorder", FLOAT4), ("enumlabel", NAME)]),
            "pg_sequence" => Rel::new(&[
                ("seqrelid", OID),
                ("seqtypid", OID),
                ("seqstart", DataType::Int8),
                ("seqincrement", DataType::Int8),
                ("seqmax", DataType::Int8),
                ("seqmin", DataType::Int8),
                ("seqcache", DataType::Int8),
                ("seqcycle", BOOL),
            ]),
            "pg_proc" => Rel::new(&[
                ("oid", OID),
                ("proname", NAME),
                ("pronamespace", OID),
                ("proowner", OID),
                ("prolang", OID),
                ("prokind", CHAR),
                ("proretset", BOOL),
                ("provolatile", CHAR),
                ("pronargs", INT2),
                ("prorettype", OID),
                ("proargtypes", oid_array()),
                ("proargnames", text_array()),
                ("prosrc", TEXT),
            ]),
            "pg_depend" => Rel::new(&[
                ("classid", OID),
                ("objid", OID),
                ("objsubid", INT4),
                ("refclassid", OID),
                ("refobjid", OID),
                ("refobjsubid", INT4),
                ("deptype", CHAR),
            ]),
            _ => return Ok(None),
        }
        .plan(),
    ))
}

fn pg_namespace() -> Rel {
    let mut r = Rel::new(&[("oid", OID), ("nspname", NAME), ("nspowner", OID), ("nspacl", text_array())]);
    for (oid, name) in
        [(NS_PG_CATALOG, "pg_catalog"), (NS_PUBLIC, "public"), (NS_INFORMATION_SCHEMA, "information_schema")]
    {
        r.push(vec![i(oid), t(name), i(OWNER_OID), null()]);
    }
    r
}

#[allow(clippy::too_many_arguments)]
fn class_row(
    oid: i32,
    name: &str,
    namespace: i32,
    kind: &str,
    am: i32,
    natts: usize,
    checks: usize,
    has_index: bool,
) -> Vec<Value> {
    vec![
        i(oid),
        t(name),
        i(namespace),
        i(0),
        i(0),
        i(OWNER_OID),
        i(am),
        i(oid),
        i(0),
        i(0),
        Value::Float4(-1.0),
        i(0),
        i(0),
        b(has_index),
        b(false),
        t("p"),
        t(kind),
        s(natts as i16),
        s(checks as i16),
        b(kind == "v"),
        b(false),
        b(false),
        b(false),
        b(false),
        b(true),
        t("d"),
        b(false),
        i(0),
        null(),
        null(),
        null(),
    ]
}

fn pg_class(binder: &Binder, catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("oid", OID),
        ("relname", NAME),
        ("relnamespace", OID),
        ("reltype", OID),
        ("reloftype", OID),
        ("relowner", OID),
        ("relam", OID),
        ("relfilenode", OID),
        ("reltablespace", OID),
        ("relpages", INT4),
        ("reltuples", FLOAT4),
        ("relallvisible", INT4),
        ("reltoastrelid", OID),
        ("relhasindex", BOOL),
        ("relisshared", BOOL),
        ("relpersistence", CHAR),
        ("relkind", CHAR),
        ("relnatts", INT2),
        ("relchecks", INT2),
        ("relhasrules", BOOL),
        ("relhastriggers", BOOL),
        ("relhassubclass", BOOL),
        ("relrowsecurity", BOOL),
        ("relforcerowsecurity", BOOL),
        ("relispopulated", BOOL),
        ("relreplident", CHAR),
        ("relispartition", BOOL),
        ("relrewrite", OID),
        ("relacl", text_array()),
        ("reloptions", text_array()),
        ("relpartbound", TEXT),
    ]);
    for table in catalog.tables() {
        let sc = &table.schema;
        let (ns, _) = table_namespace(table);
        let natts = sc.visible_columns().count();
        let has_index = sc.primary_key.is_some() || !sc.indexes.is_empty();
        r.push(class_row(table_oid(table), &sc.name, ns, "r", 2, natts, sc.checks.len(), has_index));
        if let Some((pk, cols)) = &sc.primary_key {
            r.push(class_row(pk_oid(table), pk, ns, "i", 403, cols.len(), 0, false));
        }
        for ix in &sc.indexes {
            r.push(class_row(index_oid(ix.id), &ix.name, ns, "i", 403, ix.columns.len(), 0, false));
        }
    }
    for view in catalog.views() {
        let natts = view_columns(binder, catalog, &view.sql, view.columns.as_ref()).map_or(0, |c| c.len());
        r.push(class_row(view_oid(&view.name), &view.name, NS_PUBLIC, "v", 0, natts, 0, false));
    }
    r
}

fn attribute_row(relid: i32, name: &str, ty: &DataType, num: usize, not_null: bool, has_default: bool) -> Vec<Value> {
    let elem_dims = if matches!(ty, DataType::Array(_)) { 1 } else { 0 };
    vec![
        i(relid),
        t(name),
        i(ty.oid() as i32),
        i(-1),
        s(ty.typlen()),
        s(num as i16),
        i(elem_dims),
        i(-1),
        i(ty.typmod()),
        b(ty.typlen() > 0 && ty.typlen() <= 8),
        t(type_align(ty)),
        t(if ty.typlen() > 0 { "p" } else { "x" }),
        t(""),
        b(not_null),
        b(has_default),
        b(false),
        t(""),
        t(""),
        b(false),
        b(true),
        i(0),
        i(if ty.is_string() { 100 } else { 0 }),
        null(),
        null(),
        null(),
    ]
}

fn pg_attribute(binder: &Binder, catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("attrelid", OID),
        ("attname", NAME),
        ("atttypid", OID),
        ("attstattarget", INT4),
        ("attlen", INT2),
        ("attnum", INT2),
        ("attndims", INT4),
        ("attcacheoff", INT4),
        ("atttypmod", INT4),
        ("attbyval", BOOL),
        ("attalign", CHAR),
        ("attstorage", CHAR),
        ("attcompression", CHAR),
        ("attnotnull", BOOL),
        ("atthasdef", BOOL),
        ("atthasmissing", BOOL),
        ("attidentity", CHAR),
        ("attgenerated", CHAR),
        ("attisdropped", BOOL),
        ("attislocal", BOOL),
        ("attinhcount", INT4),
        ("attcollation", OID),
        ("attacl", text_array()),
        ("attoptions", text_array()),
        ("attfdwoptions", text_array()),
    ]);
    for table in catalog.tables() {
        let oid = table_oid(table);
        for (n, (_, c)) in table.schema.visible_columns().enumerate() {
            r.push(attribute_row(oid, &c.name, &c.ty, n + 1, !c.nullable, c.default.is_some()));
        }
    }
    for view in catalog.views() {
        let oid = view_oid(&view.name);
        for (n, c) in
            view_columns(binder, catalog, &view.sql, view.columns.as_ref()).unwrap_or_default().iter().enumerate()
        {
            r.push(attribute_row(oid, &c.name, &c.ty, n + 1, false, false));
        }
    }
    r
}

fn pg_type() -> Rel {
    let mut r = Rel::new(&[
        ("oid", OID),
        ("typname", NAME),
        ("typnamespace", OID),
        ("typowner", OID),
        ("typlen", INT2),
        ("typbyval", BOOL),
        ("typtype", CHAR),
        ("typcategory", CHAR),
        ("typispreferred", BOOL),
        ("typisdefined", BOOL),
        ("typdelim", CHAR),
        ("typrelid", OID),
        ("typsubscript", TEXT),
        ("typelem", OID),
        ("typarray", OID),
        ("typinput", TEXT),
        ("typoutput", TEXT),
        ("typreceive", TEXT),
        ("typsend", TEXT),
        ("typalign", CHAR),
        ("typstorage", CHAR),
        ("typnotnull", BOOL),
        ("typbasetype", OID),
        ("typtypmod", INT4),
        ("typndims", INT4),
        ("typcollation", OID),
        ("typdefault", TEXT),
        ("typacl", text_array()),
    ]);
    let row = |oid: i32, name: &str, len: i16, cat: &str, elem: i32, array: i32, align: &str, collation: i32| {
        let io = |suffix: &str| {
            if name.starts_with('_') {
                format!("array_{suffix}")
            } else {
                format!("{name}{suffix}")
            }
        };
        vec![
            i(oid),
            t(name),
            i(NS_PG_CATALOG),
            i(OWNER_OID),
            s(len),
            b(len > 0 && len <= 8),
            t(if cat == "P" { "p" } else { "b" }),
            t(cat),
            b(matches!(name, "bool" | "float8" | "text" | "timestamptz" | "interval")),
            b(true),
            t(","),
            i(0),
            t(if elem != 0 { "array_subscript_handler" } else { "-" }),
            i(elem),
            i(array),
            t(&io("in")),
            t(&io("out")),
            t(&io("recv")),
            t(&io("send")),
            t(align),
            t(if len > 0 { "p" } else { "x" }),
            b(false),
            i(0),
            i(-1),
            i(0),
            i(collation),
            null(),
            null(),
        ]
    };
    for ty in base_types() {
        let arr = DataType::Array(Box::new(ty.clone()));
        let collation = if ty.is_string() { 100 } else { 0 };
        let array_oid = if ty == DataType::Unknown { 0 } else { arr.oid() as i32 };
        r.push(row(
            ty.oid() as i32,
            &type_name(&ty),
            ty.typlen(),
            type_category(&ty),
            0,
            array_oid,
            type_align(&ty),
            collation,
        ));
        if array_oid != 0 {
            r.push(row(array_oid, &type_name(&arr), -1, "A", ty.oid() as i32, 0, type_align(&arr), collation));
        }
    }
    // Types that appear in the catalogs and in drivers' type lookups.
    for (oid, name, len, cat, align) in [
        (19, "name", 64, "S", "c"),
        (18, "char", 1, "Z", "c"),
        (26, "oid", 4, "N", "i"),
        (22, "int2vector", -1, "A", "i"),
        (30, "oidvector", -1, "A", "i"),
        (24, "regproc", 4, "N", "i"),
        (2205, "regclass", 4, "N", "i"),
        (2206, "regtype", 4, "N", "i"),
        (2249, "record", -1, "P", "d"),
        (2278, "void", 4, "P", "i"),
        (2283, "anyelement", 4, "P", "i"),
        (2277, "anyarray", -1, "P", "d"),
    ] {
        r.push(row(oid, name, len, cat, 0, 0, align, if name == "name" { 950 } else { 0 }));
    }
    r
}

fn pg_index(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("indexrelid", OID),
        ("indrelid", OID),
        ("indnatts", INT2),
        ("indnkeyatts", INT2),
        ("indisunique", BOOL),
        ("indnullsnotdistinct", BOOL),
        ("indisprimary", BOOL),
        ("indisexclusion", BOOL),
        ("indimmediate", BOOL),
        ("indisclustered", BOOL),
        ("indisvalid", BOOL),
        ("indcheckxmin", BOOL),
        ("indisready", BOOL),
        ("indislive", BOOL),
        ("indisreplident", BOOL),
        ("indkey", int2_array()),
        ("indcollation", oid_array()),
        ("indclass", oid_array()),
        ("indoption", int2_array()),
        ("indexprs", TEXT),
        ("indpred", TEXT),
    ]);
    for table in catalog.tables() {
        let oid = table_oid(table);
        let positions = attnums(table);
        let keys = |cols: &[usize]| -> Value {
            array(DataType::Int2, cols.iter().map(|c| s(positions.get(*c).copied().unwrap_or(0))).collect())
        };
        let zeros = |n: usize, ty: DataType| array(ty.clone(), (0..n).map(|_| Value::Int4(0)).collect());
        let mut push = |index_oid: i32, cols: &[usize], unique: bool, primary: bool| {
            let n = cols.len() as i16;
            r.push(vec![
                i(index_oid),
                i(oid),
                s(n),
                s(n),
                b(unique),
                b(false),
                b(primary),
                b(false),
                b(true),
                b(false),
                b(true),
                b(false),
                b(true),
                b(true),
                b(false),
                keys(cols),
                zeros(cols.len(), DataType::Int4),
                zeros(cols.len(), DataType::Int4),
                array(DataType::Int2, (0..cols.len()).map(|_| s(0)).collect()),
                null(),
                null(),
            ]);
        };
        if let Some((_, cols)) = &table.schema.primary_key {
            push(pk_oid(table), cols, true, true);
        }
        for ix in &table.schema.indexes {
            push(index_oid(ix.id), &ix.columns, ix.unique, false);
        }
    }
    r
}

/// The attribute number (1-based among visible columns) of each column position.
fn attnums(table: &Table) -> Vec<i16> {
    let mut n = 0;
    table
        .schema
        .columns
        .iter()
        .map(|c| {
            if c.hidden {
                0
            } else {
                n += 1;
                n
            }
        })
        .collect()
}

fn pg_constraint(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("oid", OID),
        ("conname", NAME),
        ("connamespace", OID),
        ("contype", CHAR),
        ("condeferrable", BOOL),
        ("condeferred", BOOL),
        ("convalidated", BOOL),
        ("conrelid", OID),
        ("contypid", OID),
        ("conindid", OID),
        ("conparentid", OID),
        ("confrelid", OID),
        ("confupdtype", CHAR),
        ("confdeltype", CHAR),
        ("confmatchtype", CHAR),
        ("conislocal", BOOL),
        ("coninhcount", INT4),
        ("connoinherit", BOOL),
        ("conkey", int2_array()),
        ("confkey", int2_array()),
        ("conbin", TEXT),
    ]);
    for table in catalog.tables() {
        let oid = table_oid(table);
        let (ns, _) = table_namespace(table);
        let positions = attnums(table);
        let keys = |cols: &[usize]| -> Value {
            array(DataType::Int2, cols.iter().map(|c| s(positions.get(*c).copied().unwrap_or(0))).collect())
        };
        let mut push = |con_oid: i32, name: &str, kind: &str, index: i32, key: Value, bin: Value| {
            r.push(vec![
                i(con_oid),
                t(name),
                i(ns),
                t(kind),
                b(false),
                b(false),
                b(true),
                i(oid),
                i(0),
                i(index),
                i(0),
                i(0),
                t(" "),
                t(" "),
                t(" "),
                b(true),
                i(0),
                b(false),
                key,
                null(),
                bin,
            ]);
        };
        if let Some((name, cols)) = &table.schema.primary_key {
            push(pk_oid(table), name, "p", pk_oid(table), keys(cols), null());
        }
        for ix in table.schema.indexes.iter().filter(|ix| ix.constraint) {
            push(index_oid(ix.id), &ix.name, "u", index_oid(ix.id), keys(&ix.columns), null());
        }
        for check in &table.schema.checks {
            let con_oid = VIEW_OID_BASE + name_hash(&format!("{}.{}", table.schema.name, check.name));
            push(con_oid, &check.name, "c", 0, null(), t(&check.expr));
        }
    }
    r
}

fn pg_attrdef(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[("oid", OID), ("adrelid", OID), ("adnum", INT2), ("adbin", TEXT)]);
    for table in catalog.tables() {
        let oid = table_oid(table);
        for (n, (_, c)) in table.schema.visible_columns().enumerate() {
            if let Some(d) = &c.default {
                let def_oid = VIEW_OID_BASE + name_hash(&format!("{}.{}", table.schema.name, c.name));
                r.push(vec![i(def_oid), i(oid), s(n as i16 + 1), t(d)]);
            }
        }
    }
    r
}

fn pg_database() -> Rel {
    let mut r = Rel::new(&[
        ("oid", OID),
        ("datname", NAME),
        ("datdba", OID),
        ("encoding", INT4),
        ("datlocprovider", CHAR),
        ("datistemplate", BOOL),
        ("datallowconn", BOOL),
        ("datconnlimit", INT4),
        ("dattablespace", OID),
        ("datcollate", TEXT),
        ("datctype", TEXT),
        ("daticulocale", TEXT),
        ("datcollversion", TEXT),
        ("datacl", text_array()),
    ]);
    r.push(vec![
        i(FIRST_USER_OID - 1),
        t(DATABASE_NAME),
        i(OWNER_OID),
        i(6),
        t("c"),
        b(false),
        b(true),
        i(-1),
        i(1663),
        t("C.UTF-8"),
        t("C.UTF-8"),
        null(),
        null(),
        null(),
    ]);
    r
}

#[derive(Clone, Copy, PartialEq)]
enum RolesView {
    Roles,
    User,
}

/// `pg_roles` and `pg_user`: a projection of the roles table, or no rows.
fn roles(catalog: &Catalog, view: RolesView) -> QueryPlan {
    let (cols, exprs): (Vec<(&str, DataType)>, Vec<RoleCol>) = match view {
        RolesView::Roles => (
            vec![
                ("rolname", NAME),
                ("rolsuper", BOOL),
                ("rolinherit", BOOL),
                ("rolcreaterole", BOOL),
                ("rolcreatedb", BOOL),
                ("rolcanlogin", BOOL),
                ("rolreplication", BOOL),
                ("rolconnlimit", INT4),
                ("rolpassword", TEXT),
                ("rolvaliduntil", DataType::TimestampTz),
                ("rolbypassrls", BOOL),
                ("rolconfig", text_array()),
                ("oid", OID),
            ],
            vec![
                RoleCol::Name,
                RoleCol::Super,
                RoleCol::Const(b(true)),
                RoleCol::Super,
                RoleCol::Super,
                RoleCol::Login,
                RoleCol::Const(b(false)),
                RoleCol::Const(i(-1)),
                RoleCol::Const(t("********")),
                RoleCol::Const(null()),
                RoleCol::Const(b(false)),
                RoleCol::Const(null()),
                RoleCol::Oid,
            ],
        ),
        RolesView::User => (
            vec![
                ("usename", NAME),
                ("usesysid", OID),
                ("usecreatedb", BOOL),
                ("usesuper", BOOL),
                ("userepl", BOOL),
                ("usebypassrls", BOOL),
                ("passwd", TEXT),
                ("valuntil", DataType::TimestampTz),
                ("useconfig", text_array()),
            ],
            vec![
                RoleCol::Name,
                RoleCol::Oid,
                RoleCol::Super,
                RoleCol::Super,
                RoleCol::Const(b(false)),
                RoleCol::Const(b(false)),
                RoleCol::Const(t("********")),
                RoleCol::Const(null()),
                RoleCol::Const(null()),
            ],
        ),
    };
    let columns: Vec<OutputColumn> =
        cols.iter().map(|(n, t)| OutputColumn { name: n.to_string(), ty: t.clone() }).collect();
    let table = catalog.table(ROLES_TABLE).filter(|t| {
        let c = &t.schema.columns;
        c.len() >= 4
            && c[0].name == "name"
            && c[2].name == "superuser"
            && c[3].name == "login"
            && c[0].ty == DataType::Text
            && c[2].ty == DataType::Bool
            && c[3].ty == DataType::Bool
    });
    let Some(table) = table else {
        return QueryPlan { root: Node::Empty { width: columns.len() }, columns };
    };
    let scan = Node::Scan(Box::new(Scan {
        table: TableRef(table.clone()),
        alias: ROLES_TABLE.to_string(),
        access: Access::Full,
        filter: None,
    }));
    let mut projected = Vec::new();
    for (e, (_, ty)) in exprs.iter().zip(&cols) {
        projected.push(match e {
            RoleCol::Name => Expr::Column(0, DataType::Text),
            RoleCol::Super => Expr::Column(2, DataType::Bool),
            RoleCol::Login => Expr::Column(3, DataType::Bool),
            RoleCol::Const(v) => Expr::Const(v.clone(), ty.clone()),
            // NB: roles have no stored id, and a plan cannot hash a name per row:
            // every role shows the owner OID that every object carries.
            RoleCol::Oid => Expr::Const(i(OWNER_OID), ty.clone()),
        });
    }
    let names = columns.iter().map(|c| c.name.clone()).collect();
    let filter = match view {
        RolesView::User => Some(Expr::Column(3, DataType::Bool)),
        RolesView::Roles => None,
    };
    let input = match filter {
        Some(predicate) => Node::Filter { input: Box::new(scan), predicate },
        None => scan,
    };
    QueryPlan { root: Node::Project { input: Box::new(input), exprs: projected, names }, columns }
}

enum RoleCol {
    Name,
    Super,
    Login,
    Oid,
    Const(Value),
}

fn pg_am() -> Rel {
    let mut r = Rel::new(&[("oid", OID), ("amname", NAME), ("amhandler", TEXT), ("amtype", CHAR)]);
    r.push(vec![i(2), t("heap"), t("heap_tableam_handler"), t("t")]);
    r.push(vec![i(403), t("btree"), t("bthandler"), t("i")]);
    r.push(vec![i(405), t("hash"), t("hashhandler"), t("i")]);
    r
}

fn pg_tables(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("schemaname", NAME),
        ("tablename", NAME),
        ("tableowner", NAME),
        ("tablespace", NAME),
        ("hasindexes", BOOL),
        ("hasrules", BOOL),
        ("hastriggers", BOOL),
        ("rowsecurity", BOOL),
    ]);
    for table in catalog.tables() {
        let (_, ns) = table_namespace(table);
        let sc = &table.schema;
        let has_index = sc.primary_key.is_some() || !sc.indexes.is_empty();
        r.push(vec![t(ns), t(&sc.name), t("cachet"), null(), b(has_index), b(false), b(false), b(false)]);
    }
    r
}

fn pg_views(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[("schemaname", NAME), ("viewname", NAME), ("viewowner", NAME), ("definition", TEXT)]);
    for view in catalog.views() {
        r.push(vec![t("public"), t(&view.name), t("cachet"), t(&view.sql)]);
    }
    r
}

/// `CREATE [UNIQUE] INDEX ...` as `pg_get_indexdef` prints it.
fn index_def(table: &Table, name: &str, cols: &[usize], unique: bool) -> String {
    let (_, ns) = table_namespace(table);
    let names: Vec<&str> = cols.iter().filter_map(|c| table.schema.columns.get(*c)).map(|c| c.name.as_str()).collect();
    format!(
        "CREATE {}INDEX {name} ON {ns}.{} USING btree ({})",
        if unique { "UNIQUE " } else { "" },
        table.schema.name,
        names.join(", ")
    )
}

fn pg_indexes(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("schemaname", NAME),
        ("tablename", NAME),
        ("indexname", NAME),
        ("tablespace", NAME),
        ("indexdef", TEXT),
    ]);
    for table in catalog.tables() {
        let (_, ns) = table_namespace(table);
        let tname = &table.schema.name;
        if let Some((pk, cols)) = &table.schema.primary_key {
            r.push(vec![t(ns), t(tname), t(pk), null(), t(&index_def(table, pk, cols, true))]);
        }
        for ix in &table.schema.indexes {
            r.push(vec![t(ns), t(tname), t(&ix.name), null(), t(&index_def(table, &ix.name, &ix.columns, ix.unique))]);
        }
    }
    r
}

fn pg_collation() -> Rel {
    let mut r = Rel::new(&[
        ("oid", OID),
        ("collname", NAME),
        ("collnamespace", OID),
        ("collowner", OID),
        ("collprovider", CHAR),
        ("collisdeterministic", BOOL),
        ("collencoding", INT4),
        ("collcollate", TEXT),
        ("collctype", TEXT),
    ]);
    r.push(vec![i(100), t("default"), i(NS_PG_CATALOG), i(OWNER_OID), t("d"), b(true), i(-1), null(), null()]);
    r.push(vec![i(950), t("C"), i(NS_PG_CATALOG), i(OWNER_OID), t("c"), b(true), i(-1), t("C"), t("C")]);
    r.push(vec![i(951), t("POSIX"), i(NS_PG_CATALOG), i(OWNER_OID), t("c"), b(true), i(-1), t("POSIX"), t("POSIX")]);
    r
}

fn pg_tablespace() -> Rel {
    let mut r = Rel::new(&[
        ("oid", OID),
        ("spcname", NAME),
        ("spcowner", OID),
        ("spcacl", text_array()),
        ("spcoptions", text_array()),
    ]);
    r.push(vec![i(1663), t("pg_default"), i(OWNER_OID), null(), null()]);
    r.push(vec![i(1664), t("pg_global"), i(OWNER_OID), null(), null()]);
    r
}

// ---------------------------------------------------------------------------
// information_schema
// ---------------------------------------------------------------------------

fn information_schema(binder: &Binder, catalog: &Catalog, name: &str) -> Option<QueryPlan> {
    let rel = match name {
        "schemata" => {
            let mut r = Rel::new(&[
                ("catalog_name", NAME),
                ("schema_name", NAME),
                ("schema_owner", NAME),
                ("default_character_set_catalog", NAME),
                ("default_character_set_schema", NAME),
                ("default_character_set_name", NAME),
                ("sql_path", TEXT),
            ]);
            for ns in ["pg_catalog", "public", "information_schema"] {
                r.push(vec![t(DATABASE_NAME), t(ns), t("cachet"), null(), null(), null(), null()]);
            }
            r
        }
        "tables" => is_tables(catalog),
        "columns" => is_columns(binder, catalog),
        "views" => {
            let mut r = Rel::new(&[
                ("table_catalog", NAME),
                ("table_schema", NAME),
                ("table_name", NAME),
                ("view_definition", TEXT),
                ("check_option", TEXT),
                ("is_updatable", TEXT),
                ("is_insertable_into", TEXT),
                ("is_trigger_updatable", TEXT),
                ("is_trigger_deletable", TEXT),
                ("is_trigger_insertable_into", TEXT),
            ]);
            for view in catalog.views() {
                r.push(vec![
                    t(DATABASE_NAME),
                    t("public"),
                    t(&view.name),
                    t(&view.sql),
                    t("NONE"),
                    t("NO"),
                    t("NO"),
                    t("NO"),
                    t("NO"),
                    t("NO"),
                ]);
            }
            r
        }
        "table_constraints" => is_table_constraints(catalog),
        "key_column_usage" => is_key_column_usage(catalog),
        "check_constraints" => {
            let mut r = Rel::new(&[
                ("constraint_catalog", NAME),
                ("constraint_schema", NAME),
                ("constraint_name", NAME),
                ("check_clause", TEXT),
            ]);
            for table in catalog.tables() {
                let (_, ns) = table_namespace(table);
                for c in &table.schema.checks {
                    r.push(vec![t(DATABASE_NAME), t(ns), t(&c.name), t(&c.expr)]);
                }
            }
            r
        }
        "referential_constraints" => Rel::new(&[
            ("constraint_catalog", NAME),
            ("constraint_schema", NAME),
            ("constraint_name", NAME),
            ("unique_constraint_catalog", NAME),
            ("unique_constraint_schema", NAME),
            ("unique_constraint_name", NAME),
            ("match_option", TEXT),
            ("update_rule", TEXT),
            ("delete_rule", TEXT),
        ]),
        _ => return None,
    };
    Some(rel.plan())
}

fn is_tables(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("table_catalog", NAME),
        ("table_schema", NAME),
        ("table_name", NAME),
        ("table_type", TEXT),
        ("self_referencing_column_name", NAME),
        ("reference_generation", TEXT),
        ("user_defined_type_catalog", NAME),
        ("user_defined_type_schema", NAME),
        ("user_defined_type_name", NAME),
        ("is_insertable_into", TEXT),
        ("is_typed", TEXT),
        ("commit_action", TEXT),
    ]);
    let mut push = |schema: &str, name: &str, kind: &str, insertable: bool| {
        r.push(vec![
            t(DATABASE_NAME),
            t(schema),
            t(name),
            t(kind),
            null(),
            null(),
            null(),
            null(),
            null(),
            t(if insertable { "YES" } else { "NO" }),
            t("NO"),
            null(),
        ]);
    };
    for table in catalog.tables() {
        let (_, ns) = table_namespace(table);
        push(ns, &table.schema.name, "BASE TABLE", true);
    }
    for view in catalog.views() {
        push("public", &view.name, "VIEW", false);
    }
    r
}

fn is_columns(binder: &Binder, catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("table_catalog", NAME),
        ("table_schema", NAME),
        ("table_name", NAME),
        ("column_name", NAME),
        ("ordinal_position", INT4),
        ("column_default", TEXT),
        ("is_nullable", TEXT),
        ("data_type", TEXT),
        ("character_maximum_length", INT4),
        ("character_octet_length", INT4),
        ("numeric_precision", INT4),
        ("numeric_precision_radix", INT4),
        ("numeric_scale", INT4),
        ("datetime_precision", INT4),
        ("interval_type", TEXT),
        ("interval_precision", INT4),
        ("character_set_catalog", NAME),
        ("character_set_schema", NAME),
        ("character_set_name", NAME),
        ("collation_catalog", NAME),
        ("collation_schema", NAME),
        ("collation_name", NAME),
        ("domain_catalog", NAME),
        ("domain_schema", NAME),
        ("domain_name", NAME),
        ("udt_catalog", NAME),
        ("udt_schema", NAME),
        ("udt_name", NAME),
        ("dtd_identifier", NAME),
        ("is_self_referencing", TEXT),
        ("is_identity", TEXT),
        ("identity_generation", TEXT),
        ("is_generated", TEXT),
        ("generation_expression", TEXT),
        ("is_updatable", TEXT),
    ]);
    let mut push = |schema: &str,
                    table: &str,
                    name: &str,
                    pos: usize,
                    default: Option<&str>,
                    nullable: bool,
                    ty: &DataType,
                    updatable: bool| {
        use DataType::*;
        let char_len = match ty {
            Varchar(Some(n)) | Char(Some(n)) => i(*n as i32),
            _ => null(),
        };
        let octet_len = match ty {
            Varchar(Some(n)) | Char(Some(n)) => i((*n as i32).saturating_mul(4)),
            Text | Varchar(None) | Char(None) => i(1_073_741_824),
            _ => null(),
        };
        let (precision, radix, scale) = match ty {
            Int2 => (i(16), i(2), i(0)),
            Int4 => (i(32), i(2), i(0)),
            Int8 => (i(64), i(2), i(0)),
            Float4 => (i(24), i(2), null()),
            Float8 => (i(53), i(2), null()),
            Numeric(Some(m)) => (i(m.precision as i32), i(10), i(m.scale as i32)),
            Numeric(None) => (null(), i(10), null()),
            _ => (null(), null(), null()),
        };
        let datetime_precision = match ty {
            Date => i(0),
            Time | Timestamp | TimestampTz | Interval => i(6),
            _ => null(),
        };
        r.push(vec![
            t(DATABASE_NAME),
            t(schema),
            t(table),
            t(name),
            i(pos as i32),
            default.map_or(null(), t),
            t(if nullable { "YES" } else { "NO" }),
            t(&sql_type_name(ty)),
            char_len,
            octet_len,
            precision,
            radix,
            scale,
            datetime_precision,
            null(),
            null(),
            null(),
            null(),
            null(),
            null(),
            null(),
            null(),
            null(),
            null(),
            null(),
            t(DATABASE_NAME),
            t("pg_catalog"),
            t(&type_name(ty)),
            t(&pos.to_string()),
            t("NO"),
            t("NO"),
            null(),
            t("NEVER"),
            null(),
            t(if updatable { "YES" } else { "NO" }),
        ]);
    };
    for table in catalog.tables() {
        let (_, ns) = table_namespace(table);
        for (n, (_, c)) in table.schema.visible_columns().enumerate() {
            push(ns, &table.schema.name, &c.name, n + 1, c.default.as_deref(), c.nullable, &c.ty, true);
        }
    }
    for view in catalog.views() {
        for (n, c) in
            view_columns(binder, catalog, &view.sql, view.columns.as_ref()).unwrap_or_default().iter().enumerate()
        {
            push("public", &view.name, &c.name, n + 1, None, true, &c.ty, false);
        }
    }
    r
}

fn is_table_constraints(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("constraint_catalog", NAME),
        ("constraint_schema", NAME),
        ("constraint_name", NAME),
        ("table_catalog", NAME),
        ("table_schema", NAME),
        ("table_name", NAME),
        ("constraint_type", TEXT),
        ("is_deferrable", TEXT),
        ("initially_deferred", TEXT),
        ("enforced", TEXT),
        ("nulls_distinct", TEXT),
    ]);
    for table in catalog.tables() {
        let (_, ns) = table_namespace(table);
        let tname = &table.schema.name;
        let mut push = |name: &str, kind: &str| {
            let nulls = if kind == "UNIQUE" || kind == "PRIMARY KEY" { t("YES") } else { null() };
            r.push(vec![
                t(DATABASE_NAME),
                t(ns),
                t(name),
                t(DATABASE_NAME),
                t(ns),
                t(tname),
                t(kind),
                t("NO"),
                t("NO"),
                t("YES"),
                nulls,
            ]);
        };
        if let Some((pk, _)) = &table.schema.primary_key {
            push(pk, "PRIMARY KEY");
        }
        for ix in table.schema.indexes.iter().filter(|ix| ix.constraint) {
            push(&ix.name, "UNIQUE");
        }
        for c in &table.schema.checks {
            push(&c.name, "CHECK");
        }
    }
    r
}

fn is_key_column_usage(catalog: &Catalog) -> Rel {
    let mut r = Rel::new(&[
        ("constraint_catalog", NAME),
        ("constraint_schema", NAME),
        ("constraint_name", NAME),
        ("table_catalog", NAME),
        ("table_schema", NAME),
        ("table_name", NAME),
        ("column_name", NAME),
        ("ordinal_position", INT4),
        ("position_in_unique_constraint", INT4),
    ]);
    for table in catalog.tables() {
        let (_, ns) = table_namespace(table);
        let tname = &table.schema.name;
        let mut push = |name: &str, cols: &[usize]| {
            for (k, c) in cols.iter().enumerate() {
                let Some(col) = table.schema.columns.get(*c) else { continue };
                r.push(vec![
                    t(DATABASE_NAME),
                    t(ns),
                    t(name),
                    t(DATABASE_NAME),
                    t(ns),
                    t(tname),
                    t(&col.name),
                    i(k as i32 + 1),
                    null(),
                ]);
            }
        };
        if let Some((pk, cols)) = &table.schema.primary_key {
            push(pk, cols);
        }
        for ix in table.schema.indexes.iter().filter(|ix| ix.constraint) {
            push(&ix.name, &ix.columns);
        }
    }
    r
}
