"""A first look at the backend K: one symbolic program on whichever engine is selected.

Run: python examples/quickstart.py   (LAMINA_BACKEND=jax|torch|numpy picks the engine)
"""

import numpy as np

from lamina import backend as K

print(f"engine: {K.backend()}")

# A symbolic program, as in the article's inline dropout.
x = K.Input((28, 28), name="image")
flat = K.reshape(x, (-1, 28 * 28))
mask = K.random_binomial(K.shape(flat), 0.5)
dropped = flat * mask * 2
print(f"symbolic output: shape {K.int_shape(dropped)}, dtype {dropped.dtype}")

# Evaluate the recorded graph on concrete data.
from lamina.backend import symbolic  # noqa: E402

images = np.ones((4, 28, 28), dtype="float32")
values = K.convert_to_numpy(symbolic.evaluate(dropped, {x: images}))
print(f"evaluated: shape {values.shape}, kept fraction {float((values > 0).mean()):.2f}")

# Engine-neutral gradients (jax and torch).
w = K.Variable(K.random_normal((3,), seed=0), name="w")
if K.backend() != "numpy":
    loss, grad = K.value_and_grad(lambda w: K.sum(K.square(w)))(w)
    print(f"loss {float(loss):.4f}, gradient equals 2w: "
          f"{np.allclose(K.convert_to_numpy(grad), 2 * w.numpy())}")
else:
    print("the numpy engine does inference only; gradients need jax or torch")
