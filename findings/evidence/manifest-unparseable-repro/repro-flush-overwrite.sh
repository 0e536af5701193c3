#!/bin/bash
# kalamdb-server 0.4.3-rc.4: unparseable manifest.json + no manifest cache entry -> acknowledged rows lost for good.
set -u; cd "$(dirname "$0")"; D=$(mktemp -d); P=$(python3 -c "import socket;s=socket.socket();s.bind((\"127.0.0.1\",0));print(s.getsockname()[1])"); 
./start.sh $D $P
./sql.sh $P "CREATE NAMESPACE IF NOT EXISTS ns" >/dev/null
./sql.sh $P "CREATE USER TABLE ns.t (id BIGINT PRIMARY KEY, v TEXT)" >/dev/null
./sql.sh $P "INSERT INTO ns.t (id, v) VALUES (1,'a'),(2,'b')"
./sql.sh $P "STORAGE FLUSH TABLE ns.t"; sleep 3
kill $(cat $D/pid); while kill -0 $(cat $D/pid) 2>/dev/null; do sleep 0.2; done
echo '{"table_id": <<not json' > $D/data/storage/ns/t/root/manifest.json
${PYTHON:-../../../.tmp/pyarrow-venv/bin/python} evict.py $D/data/rocksdb ns t root
./start.sh $D $P
echo "SELECT after restart:"; ./sql.sh $P "SELECT id, v FROM ns.t ORDER BY id" | jq -c '.results[0].rows'
./sql.sh $P "INSERT INTO ns.t (id, v) VALUES (3,'c')" | jq -c '.results[0].message'
echo "SELECT after one INSERT:"; ./sql.sh $P "SELECT id, v FROM ns.t ORDER BY id" | jq -c '.results[0].rows'
./sql.sh $P "INSERT INTO ns.t (id, v) VALUES (1,'dup')" | jq -c '.results[0].message // .error'
./sql.sh $P "STORAGE FLUSH TABLE ns.t" >/dev/null; sleep 3
kill $(cat $D/pid); while kill -0 $(cat $D/pid) 2>/dev/null; do sleep 0.2; done

ls $D/data/storage/ns/t/root/
./start.sh $D $P
echo "SELECT after flush + restart:"; ./sql.sh $P "SELECT id, v FROM ns.t ORDER BY id" | jq -c '.results[0].rows'
kill $(cat $D/pid); while kill -0 $(cat $D/pid) 2>/dev/null; do sleep 0.2; done
rm -rf "$D"
