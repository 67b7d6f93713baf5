.print nested start
.read script.sql
.print nested end
