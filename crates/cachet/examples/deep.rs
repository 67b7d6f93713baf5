fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let sql = match which.as_str() {
        "paren" => format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000)),
        "or" => format!("SELECT 1 WHERE {}", vec!["a = 1"; 2000].join(" OR ")),
        _ => "SELECT 1".to_string(),
    };
    let h = std::thread::Builder::new().stack_size(2 << 20).spawn(move || {
        let db = cachet::Database::open_in_memory().unwrap();
        let conn = db.connect();
        conn.execute_batch("CREATE TABLE t (a int)").unwrap();
        let r = conn.with_session(|s| s.execute(&sql, &[]).map(|_| ()));
        println!("{:?}", r.err().map(|e| e.to_string()));
    }).unwrap();
    h.join().unwrap();
}
