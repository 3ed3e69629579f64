#include <string>
#include <vector>

namespace geometry {

class Polygon {
 public:
  explicit Polygon(std::vector<double> xs) : xs_(std::move(xs)) {}
  ~Polygon() = default;
  double Perimeter() const;
  bool operator==(const Polygon& other) const { return xs_ == other.xs_; }

 private:
  std::vector<double> xs_;
};

double Polygon::Perimeter() const {
  double total = 0;
  for (double x : xs_) total += x;
  return total;
}

template <typename T>
class Box {
 public:
  T value;
  T Get() const { return value; }
};

}  // namespace geometry
