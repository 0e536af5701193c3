#!/bin/bash
P=$1; shift
T=$(curl -s -H 'content-type: application/json' http://127.0.0.1:$P/v1/api/auth/login -d '{"user":"root","password":"rootpass123"}' | jq -r .access_token)
curl -s -H "authorization: Bearer $T" -H 'content-type: application/json' http://127.0.0.1:$P/v1/api/sql -d "$(jq -nc --arg s "$*" '{sql:$s}')" | cut -c1-1500; echo
