// Sample JavaScript for the golden test.
import fs from "fs";

/**
 * Reads a configuration file and returns the parsed settings object.
 */
function readConfig(path) {
  const text = fs.readFileSync(path, "utf8");
  return JSON.parse(text);
}

class Cache {
  constructor(limit) {
    this.limit = limit;
    this.map = new Map();
  }

  get(key) {
    const value = this.map.get(key);
    if (value !== undefined) this.map.delete(key), this.map.set(key, value);
    return value;
  }
}

const handler = (event) => {
  console.log("handling event of type", event.type, "at", Date.now());
};

const table = {
  entry0: { id: 0, label: "label number 0" },
  entry1: { id: 1, label: "label number 1" },
  entry2: { id: 2, label: "label number 2" },
  entry3: { id: 3, label: "label number 3" },
  entry4: { id: 4, label: "label number 4" },
  entry5: { id: 5, label: "label number 5" },
  entry6: { id: 6, label: "label number 6" },
  entry7: { id: 7, label: "label number 7" },
  entry8: { id: 8, label: "label number 8" },
  entry9: { id: 9, label: "label number 9" },
  entry10: { id: 10, label: "label number 10" },
  entry11: { id: 11, label: "label number 11" },
  entry12: { id: 12, label: "label number 12" },
  entry13: { id: 13, label: "label number 13" },
  entry14: { id: 14, label: "label number 14" },
  entry15: { id: 15, label: "label number 15" },
  entry16: { id: 16, label: "label number 16" },
  entry17: { id: 17, label: "label number 17" },
  entry18: { id: 18, label: "label number 18" },
  entry19: { id: 19, label: "label number 19" },
  entry20: { id: 20, label: "label number 20" },
  entry21: { id: 21, label: "label number 21" },
  entry22: { id: 22, label: "label number 22" },
  entry23: { id: 23, label: "label number 23" },
  entry24: { id: 24, label: "label number 24" },
  entry25: { id: 25, label: "label number 25" },
  entry26: { id: 26, label: "label number 26" },
  entry27: { id: 27, label: "label number 27" },
  entry28: { id: 28, label: "label number 28" },
  entry29: { id: 29, label: "label number 29" },
  entry30: { id: 30, label: "label number 30" },
  entry31: { id: 31, label: "label number 31" },
  entry32: { id: 32, label: "label number 32" },
  entry33: { id: 33, label: "label number 33" },
  entry34: { id: 34, label: "label number 34" },
  entry35: { id: 35, label: "label number 35" },
  entry36: { id: 36, label: "label number 36" },
  entry37: { id: 37, label: "label number 37" },
  entry38: { id: 38, label: "label number 38" },
  entry39: { id: 39, label: "label number 39" },
};
