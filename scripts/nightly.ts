// `scripts/nightly` from source (node --import tsx); the logic is in src/nightly/.
import '../src/nightly/main.js';
