import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app.js";
import { html } from "./html.js";

render(html`<${App} />`, document.getElementById("app"));
performance.mark("gatehouse:rendered");
