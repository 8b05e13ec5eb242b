package main

// sql.go - kine's statements, generation C (kine v0.16.3/v0.16.4), byte for
// byte as in shared/reference/kine-sql-vectors.json ("head",
// "ddl_simple_protocol", "bootstrap_other"), with the pgx v5 statement
// names listed there; main.go checks that the names computed from these
// texts match.  Generated from that file; edit it, not this.

const (
	sqlCurrentRev           = "SELECT MAX(id) AS current_rev FROM kine"
	sqlCompactRev           = "SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key'"
	sqlGetSingle            = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id = (SELECT MAX(id) AS id FROM kine WHERE name = $1 ) AND (deleted = 0 OR $2)"
	sqlGetSingleVal         = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id = (SELECT MAX(id) AS id FROM kine WHERE name = $1 ) AND (deleted = 0 OR $2)"
	sqlListCurrent          = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC"
	sqlListCurrentVal       = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC"
	sqlListRevisionStart    = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name = $1 AND id <= $2) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC"
	sqlListRevisionStartVal = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name = $1 AND id <= $2) AS mkv USING (id) WHERE (deleted = 0 OR $3) ORDER BY name ASC"
	sqlGetRevisionAfter     = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 AND id <= $3 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $4) ORDER BY name ASC"
	sqlGetRevisionAfterVal  = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 AND id <= $3 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $4) ORDER BY name ASC"
	sqlCountCurrent         = "SELECT (SELECT MAX(id) AS current_rev FROM kine), COUNT(id) FROM kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $3)"
	sqlCountRevision        = "SELECT (SELECT MAX(id) AS current_rev FROM kine), (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key'), COUNT(id) FROM kine INNER JOIN (SELECT MAX(id) AS id FROM kine WHERE name >= $1 AND name < $2 AND id <= $3 GROUP BY name) AS mkv USING (id) WHERE (deleted = 0 OR $4)"
	sqlAfterOldVal          = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE name >= $1 AND name < $2 AND id > $3 ORDER BY id ASC"
	sqlAfterAllOldVal       = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE id > $1 ORDER BY id ASC"
	sqlAfterSingleOldVal    = "SELECT current_rev, compact_rev, id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM (SELECT MAX(id) AS current_rev FROM kine) AS current, (SELECT MAX(prev_revision) AS compact_rev FROM kine WHERE name = 'compact_rev_key') AS compact, kine WHERE name = $1 AND id > $2 ORDER BY id ASC"
	sqlInsert               = "INSERT INTO kine(name, created, deleted, create_revision, prev_revision, lease, value, old_value) SELECT $1, $2, $3, $4, $5, $6, $7, (SELECT value FROM kine WHERE id = $8) AS old_value RETURNING id"
	sqlFill                 = "INSERT INTO kine(id, name, created, deleted, create_revision, prev_revision, lease, value, old_value) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)"
	sqlDelete               = "DELETE FROM kine WHERE id = $1"
	sqlUpdateCompact        = "UPDATE kine SET prev_revision = $1 WHERE name = 'compact_rev_key'"
	sqlCompact              = "DELETE FROM kine AS kv USING ( SELECT kp.prev_revision AS id FROM kine AS kp WHERE kp.name != 'compact_rev_key' AND kp.prev_revision != 0 AND kp.id <= $1 UNION SELECT kd.id AS id FROM kine AS kd WHERE kd.deleted != 0 AND kd.id <= $2 ) AS ks WHERE kv.id = ks.id"
	sqlGetSize              = "SELECT pg_total_relation_size('kine')"
	sqlMigrateCountKV       = "SELECT COUNT(*) FROM key_value"
	sqlMigrateCountKine     = "SELECT COUNT(*) FROM kine"
	sqlDBExists             = "SELECT 1 FROM pg_database WHERE datname = $1"
	sqlVersion              = "select version()"
	sqlPing                 = "-- ping"
	sqlBegin                = "begin isolation level serializable"
	sqlCommit               = "commit"
	sqlRollback             = "rollback"
)

// the schema: simple Query messages, in order (pgsql.go "schema")
var schemaDDL = []string{
	"CREATE TABLE IF NOT EXISTS kine\n \t\t\t(\n\t\t\t\tid BIGSERIAL PRIMARY KEY,\n\t\t\t\tname text COLLATE \"C\",\n\t\t\t\tcreated INTEGER,\n\t\t\t\tdeleted INTEGER,\n\t\t\t\tcreate_revision BIGINT,\n\t\t\t\tprev_revision BIGINT,\n \t\t\t\tlease INTEGER,\n \t\t\t\tvalue bytea,\n \t\t\t\told_value bytea\n \t\t\t);",
	"CREATE INDEX IF NOT EXISTS kine_name_index ON kine (name)",
	"CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name,id)",
	"CREATE INDEX IF NOT EXISTS kine_id_deleted_index ON kine (id,deleted)",
	"CREATE INDEX IF NOT EXISTS kine_prev_revision_index ON kine (prev_revision)",
	"CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision)",
	"CREATE INDEX IF NOT EXISTS kine_list_query_index on kine(name, id DESC, deleted)",
}

// pgx v5 statement names, from kine-sql-vectors.json
var wantNames = map[string]string{
	sqlCurrentRev:           "stmtcache_92e2ff234964e1946f0761d55fce531d18d04d3524f40a42",
	sqlCompactRev:           "stmtcache_b4a1e0fcc274b1c81a4f87da28cbd2b707cbb0551b268dd5",
	sqlGetSingle:            "stmtcache_de4c42168423d8e4df632b342eeac2382c89ba8816f87c9b",
	sqlGetSingleVal:         "stmtcache_ad9c48edfcce77c40b1e75de44ee2e26e271d9dc96ff6fbe",
	sqlListCurrent:          "stmtcache_2e9ade00825f764d2adb8399b5250103e7713142e916801c",
	sqlListCurrentVal:       "stmtcache_31bd08488dd4b2d0ba22f196192d231a84bd28311a36ba3e",
	sqlListRevisionStart:    "stmtcache_5937c381ba1e46cea33f054771dcd16c4cc1f075b4fef8db",
	sqlListRevisionStartVal: "stmtcache_ab35aebe54eee0f1550da885d8c905930c3c9d455bb8d8c8",
	sqlGetRevisionAfter:     "stmtcache_40ec36fd7ce08306d83735ddce7f37c9fbf6283604ae5182",
	sqlGetRevisionAfterVal:  "stmtcache_1ec2cf437f6293e7b382180dc3ca1c081a2db1ef4e7223c7",
	sqlCountCurrent:         "stmtcache_59127e37a7605ed5b6a86d6a293a24362d9d0e398e8053eb",
	sqlCountRevision:        "stmtcache_43aa3e44b72501cc4a09dafa7e92be7a022f0738bc795f78",
	sqlAfterOldVal:          "stmtcache_7235186e01f1e8c280342f05593fb7c51c0c369c6f07ae17",
	sqlAfterAllOldVal:       "stmtcache_0948b48f71ce69609b645b4ec567349aaeed54e87b7eab51",
	sqlAfterSingleOldVal:    "stmtcache_076f8879a367ff5b53af7940550063f83ff602f2e0786f47",
	sqlInsert:               "stmtcache_35c4a827b866432f0dc7b057e008fc78853945da639c9013",
	sqlFill:                 "stmtcache_0370eedfb4404f7ba4cadb82f198f3a2e807fe4e41781b16",
	sqlDelete:               "stmtcache_0f9ddf356496c5a4c6eafd8a79d95157d461591106c16385",
	sqlUpdateCompact:        "stmtcache_73515e665ee1bb6f774199dc215da2cc2424b8372c0c737a",
	sqlCompact:              "stmtcache_276a1107ceec1de9e9000e89508dafb465101c91340fe101",
	sqlGetSize:              "stmtcache_f1e1f09c25b83a6e70ff5ead719d0d8ad98ed33a54f79ca4",
	sqlMigrateCountKV:       "stmtcache_4965f3b5dab794cf8ee05192a61eed0364f368c13e82915e",
	sqlMigrateCountKine:     "stmtcache_e5364ef0b717cb5641438aae24d10a6472dbcb9b0aac8d2d",
	sqlDBExists:             "stmtcache_46c5712c7858d59ef557084e295a65cabed886d65beead3a",
	sqlVersion:              "stmtcache_b339a30d55bf736e6e6993a7af1f14c6a6dd2c56f7569282",
}

// parameter OIDs PostgreSQL 15 describes, from kine-sql-vectors.json
var wantParamOIDs = map[string][]uint32{
	sqlCurrentRev:           {},
	sqlCompactRev:           {},
	sqlGetSingle:            {25, 16},
	sqlGetSingleVal:         {25, 16},
	sqlListCurrent:          {25, 25, 16},
	sqlListCurrentVal:       {25, 25, 16},
	sqlListRevisionStart:    {25, 20, 16},
	sqlListRevisionStartVal: {25, 20, 16},
	sqlGetRevisionAfter:     {25, 25, 20, 16},
	sqlGetRevisionAfterVal:  {25, 25, 20, 16},
	sqlCountCurrent:         {25, 25, 16},
	sqlCountRevision:        {25, 25, 20, 16},
	sqlAfterOldVal:          {25, 25, 20},
	sqlAfterAllOldVal:       {20},
	sqlAfterSingleOldVal:    {25, 20},
	sqlInsert:               {25, 23, 23, 20, 20, 23, 17, 20},
	sqlFill:                 {20, 25, 23, 23, 20, 20, 23, 17, 17},
	sqlDelete:               {20},
	sqlUpdateCompact:        {20},
	sqlCompact:              {20, 20},
	sqlGetSize:              {},
	sqlMigrateCountKine:     {},
	sqlDBExists:             {19},
}
