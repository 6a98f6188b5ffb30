// Templates: htm tagged templates over Preact's h (no JSX step, no eval: htm parses at run time).
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);
