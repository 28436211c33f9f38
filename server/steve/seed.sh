#!/usr/bin/env bash
# Apply init.sql once SteVe has finished migrating stevedb (run by the `seed` service).
# SteVe's Flyway creates and alters the tables at its first start; rows inserted earlier
# would hit missing tables or columns, so wait for: the web port, both tables, and a
# Flyway history that is complete (all successful) and unchanged for two checks.
set -euo pipefail

DB=(mysql -h mariadb -u steve -pchangeme stevedb -N -B)
deadline=$((SECONDS + ${SEED_TIMEOUT:-1800}))

q() { "${DB[@]}" -e "$1" 2>/dev/null || echo "?"; }

app_up() { (exec 3<>/dev/tcp/app/8180) 2>/dev/null; }

tables_ready() {
    [[ "$(q "SELECT COUNT(*) FROM information_schema.tables
             WHERE table_schema = 'stevedb' AND table_name IN ('charge_box', 'ocpp_tag', 'schema_version')")" == 3 ]]
}

history() { q "SELECT CONCAT(COUNT(*), '/', SUM(success = 0)) FROM schema_version"; }

last=""
while true; do
    if (( SECONDS >= deadline )); then
        echo "seed: SteVe did not finish migrating within ${SEED_TIMEOUT:-1800} s" >&2
        exit 1
    fi
    if app_up && tables_ready; then
        now="$(history)"
        if [[ "$now" == "$last" && "$now" == */0 ]]; then
            break
        fi
        last="$now"
    fi
    sleep 10
done

"${DB[@]}" < /seed/init.sql
echo "seed: applied init.sql (Flyway history ${last%/*} migrations)"
"${DB[@]}" -e "SELECT charge_box_id, registration_status FROM charge_box;
               SELECT id_tag, parent_id_tag, expiry_date, max_active_transaction_count FROM ocpp_tag;"
