package com.example.sample;

import java.util.ArrayList;
import java.util.List;

// A tiny inventory of named items.
public class Inventory {
    private final List<String> items = new ArrayList<>();

    public Inventory() {
        items.add("default item that is always present");
    }

    public void add(String item) {
        if (item == null || item.isEmpty()) throw new IllegalArgumentException("empty");
        items.add(item);
    }

    public int size() {
        return items.size();
    }

    interface Visitor {
        void visit(String item);
    }

    enum Kind { SMALL, MEDIUM, LARGE, EXTRA_LARGE }
}
