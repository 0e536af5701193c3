#!/usr/bin/env node
import '../dist/src/reference-server/main.js';
