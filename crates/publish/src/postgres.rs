//! Publishing the reporting model to PostgreSQL: built into a staging schema with
//! binary COPY, then swapped in with one transaction, so readers see the previous
//! publish or the new one, never a mix. An interrupted publish leaves only a staging
//! schema behind, which the next publish replaces.

use crate::PublishError;
use crate::reporting::{Cell, ColumnType, ReportTable, views};
use futures_util::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls};

/// What a publish did.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishReport {
    /// The reporting schema.
    pub schema: String,
    /// (table, rows) in publish order.
    pub tables: Vec<(String, usize)>,
    /// Views created.
    pub views: usize,
    /// Wall time, seconds.
    pub seconds: f64,
}

pub use watershed_model::is_schema_name as valid_schema;

fn pg_type(t: ColumnType) -> Type {
    match t {
        ColumnType::Text => Type::TEXT,
        ColumnType::Numeric => Type::NUMERIC,
        ColumnType::Integer => Type::INT8,
        ColumnType::Date => Type::DATE,
        ColumnType::Timestamp => Type::TIMESTAMP,
        ColumnType::Boolean => Type::BOOL,
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A cell as a typed SQL parameter (nulls typed by their column).
fn param(cell: &Cell, ty: ColumnType) -> Box<dyn ToSql + Sync + Send> {
    match (cell, ty) {
        (Cell::Text(s), _) => Box::new(s.clone()),
        (Cell::Numeric(d), _) => Box::new(*d),
        (Cell::Integer(i), _) => Box::new(*i),
        (Cell::Date(d), _) => Box::new(*d),
        (Cell::Timestamp(t), _) => Box::new(*t),
        (Cell::Bool(b), _) => Box::new(*b),
        (Cell::Null, ColumnType::Text) => Box::new(None::<String>),
        (Cell::Null, ColumnType::Numeric) => Box::new(None::<rust_decimal::Decimal>),
        (Cell::Null, ColumnType::Integer) => Box::new(None::<i64>),
        (Cell::Null, ColumnType::Date) => Box::new(None::<chrono::NaiveDate>),
        (Cell::Null, ColumnType::Timestamp) => Box::new(None::<chrono::NaiveDateTime>),
        (Cell::Null, ColumnType::Boolean) => Box::new(None::<bool>),
    }
}

async fn load_table(client: &Client, schema: &str, table: &ReportTable) -> Result<(), PublishError> {
    let columns: Vec<String> = table.columns.iter().map(|c| format!("\"{}\" {}", c.name, c.ty.sql())).collect();
    client.batch_execute(&format!("CREATE TABLE {schema}.\"{}\" ({})", table.name, columns.join(", "))).await?;
    let mut comments = format!("COMMENT ON TABLE {schema}.\"{}\" IS {};", table.name, quote(&table.comment));
    for c in &table.columns {
        comments.push_str(&format!("COMMENT ON COLUMN {schema}.\"{}\".\"{}\" IS {};", table.name, c.name, quote(&c.comment)));
    }
    client.batch_execute(&comments).await?;
    let names: Vec<String> = table.columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
    let sink = client.copy_in(&format!("COPY {schema}.\"{}\" ({}) FROM STDIN BINARY", table.name, names.join(", "))).await?;
    let types: Vec<Type> = table.columns.iter().map(|c| pg_type(c.ty)).collect();
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    for row in &table.rows {
        let params: Vec<Box<dyn ToSql + Sync + Send>> = row.iter().zip(&table.columns).map(|(cell, c)| param(cell, c.ty)).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        writer.as_mut().write(&refs).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// Publishes `tables` (and the documented views) to schema `schema` of the database at
/// `url`. `fail_after` stops after that many tables, as an interrupted publish would
/// (used by tests; `None` in real use).
pub fn publish_postgres(url: &str, schema: &str, tables: &[ReportTable], fail_after: Option<usize>) -> Result<PublishReport, PublishError> {
    if !valid_schema(schema) {
        return Err(PublishError::Invalid(format!("schema name `{schema}`: use lower-case letters, digits and _")));
    }
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PublishError::Invalid(format!("cannot start the I/O runtime: {e}")))?;
    runtime.block_on(async {
        let (mut client, connection) = tokio_postgres::connect(url, NoTls).await?;
        let driver = tokio::spawn(connection);
        let staging = format!("{schema}__staging");
        let previous = format!("{schema}__previous");
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {staging} CASCADE; CREATE SCHEMA {staging};")).await?;
        let mut loaded = Vec::new();
        for (i, table) in tables.iter().enumerate() {
            if fail_after == Some(i) {
                return Err(PublishError::Invalid(format!("publish interrupted after {i} tables (test hook); {schema} is untouched")));
            }
            load_table(&client, &staging, table).await?;
            loaded.push((table.name.clone(), table.rows.len()));
        }
        let list = views(&staging);
        for (name, comment, sql) in &list {
            client
                .batch_execute(&format!("CREATE VIEW {staging}.{name} AS {sql}; COMMENT ON VIEW {staging}.{name} IS {};", quote(comment)))
                .await?;
        }
        // The swap: one transaction, so readers see the old schema or the new one.
        let tx = client.transaction().await?;
        let exists = tx.query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema]).await?.is_some();
        tx.batch_execute(&format!("DROP SCHEMA IF EXISTS {previous} CASCADE;")).await?;
        if exists {
            tx.batch_execute(&format!("ALTER SCHEMA {schema} RENAME TO {previous};")).await?;
        }
        tx.batch_execute(&format!(
            "ALTER SCHEMA {staging} RENAME TO {schema}; DROP SCHEMA IF EXISTS {previous} CASCADE; COMMENT ON SCHEMA {schema} IS {};",
            quote(&format!("Watershed reporting schema, published {}", chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")))
        ))
        .await?;
        tx.commit().await?;
        drop(client);
        let _ = driver.await;
        Ok(PublishReport { schema: schema.to_string(), tables: loaded, views: list.len(), seconds: started.elapsed().as_secs_f64() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names() {
        for (name, ok) in [
            ("reporting", true),
            ("watershed_2026", true),
            ("_x", true),
            ("Reporting", false),
            ("a;drop", false),
            ("", false),
            ("a b", false),
            ("1abc", false),
        ] {
            assert_eq!(valid_schema(name), ok, "{name}");
        }
    }
}
