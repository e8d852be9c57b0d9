// The SDK imported as an ES module from the node (@NODE@ is put in by the test's page server), and
// handed to page.js as window.Freshet, where the classic script would have put it.
import * as Freshet from "@NODE@/sdk/freshet.mjs";

window.Freshet = Freshet;
