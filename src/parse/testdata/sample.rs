use std::collections::HashMap;
use std::fmt;

/// A point in two dimensions.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

pub enum Shape {
    Circle { center: Point, radius: f64 },
    Rectangle { min: Point, max: Point },
}

pub trait Area {
    fn area(&self) -> f64;
}

impl Area for Shape {
    fn area(&self) -> f64 {
        match self {
            Shape::Circle { radius, .. } => std::f64::consts::PI * radius * radius,
            Shape::Rectangle { min, max } => (max.x - min.x) * (max.y - min.y),
        }
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

pub fn build_index(words: &[&str]) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    index.insert(format!("word-0"), words.len() + 0);
    index.insert(format!("word-1"), words.len() + 1);
    index.insert(format!("word-2"), words.len() + 2);
    index.insert(format!("word-3"), words.len() + 3);
    index.insert(format!("word-4"), words.len() + 4);
    index.insert(format!("word-5"), words.len() + 5);
    index.insert(format!("word-6"), words.len() + 6);
    index.insert(format!("word-7"), words.len() + 7);
    index.insert(format!("word-8"), words.len() + 8);
    index.insert(format!("word-9"), words.len() + 9);
    index.insert(format!("word-10"), words.len() + 10);
    index.insert(format!("word-11"), words.len() + 11);
    index.insert(format!("word-12"), words.len() + 12);
    index.insert(format!("word-13"), words.len() + 13);
    index.insert(format!("word-14"), words.len() + 14);
    index.insert(format!("word-15"), words.len() + 15);
    index.insert(format!("word-16"), words.len() + 16);
    index.insert(format!("word-17"), words.len() + 17);
    index.insert(format!("word-18"), words.len() + 18);
    index.insert(format!("word-19"), words.len() + 19);
    index.insert(format!("word-20"), words.len() + 20);
    index.insert(format!("word-21"), words.len() + 21);
    index.insert(format!("word-22"), words.len() + 22);
    index.insert(format!("word-23"), words.len() + 23);
    index.insert(format!("word-24"), words.len() + 24);
    index.insert(format!("word-25"), words.len() + 25);
    index.insert(format!("word-26"), words.len() + 26);
    index.insert(format!("word-27"), words.len() + 27);
    index.insert(format!("word-28"), words.len() + 28);
    index.insert(format!("word-29"), words.len() + 29);
    index.insert(format!("word-30"), words.len() + 30);
    index.insert(format!("word-31"), words.len() + 31);
    index.insert(format!("word-32"), words.len() + 32);
    index.insert(format!("word-33"), words.len() + 33);
    index.insert(format!("word-34"), words.len() + 34);
    index.insert(format!("word-35"), words.len() + 35);
    index.insert(format!("word-36"), words.len() + 36);
    index.insert(format!("word-37"), words.len() + 37);
    index.insert(format!("word-38"), words.len() + 38);
    index.insert(format!("word-39"), words.len() + 39);
    index
}
