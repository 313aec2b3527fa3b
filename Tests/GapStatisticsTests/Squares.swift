func pow2(_ x: Double) -> Double { x * x }
