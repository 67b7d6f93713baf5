//! Runs SQL statements from stdin (one script) and prints the results; a debugging aid.

use std::io::Read;

fn main() {
    let db = cachet::Database::open_in_memory().expect("open");
    let conn = db.connect();
    let mut script = String::new();
    std::io::stdin().read_to_string(&mut script).expect("read stdin");
    for stmt in script.split(";\n") {
        if stmt.trim().is_empty() {
            continue;
        }
        let r = conn.with_session(|s| s.execute(stmt, &[]));
        match r {
            Ok(results) => {
                for r in results {
                    if let Some(cols) = &r.columns {
                        println!("{}", cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" | "));
                        for row in &r.rows {
                            let vals: Vec<String> = row
                                .iter()
                                .map(|v| {
                                    if v.is_null() {
                                        "NULL".into()
                                    } else {
                                        cachet::types::format_value(v, &Default::default())
                                    }
                                })
                                .collect();
                            println!("{}", vals.join(" | "));
                        }
                    }
                    println!("-- {}", r.tag);
                }
            }
            Err(e) => println!("ERROR: {e}"),
        }
    }
}
