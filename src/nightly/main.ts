/** Entry of `scripts/nightly` (built: dist/src/nightly/main.js). */
import { nightlyMain } from './nightly.js';

const code = await nightlyMain(process.argv.slice(2));
process.exit(code);
