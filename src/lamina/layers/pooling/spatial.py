"""Zeros added at, or cells cut from, the edges of the spatial dimensions:
ZeroPadding1D/2D/3D and Cropping1D/2D/3D.

One base, :class:`SpatialEdges`, reads the amounts (an int, one int per dimension, or
one ``(before, after)`` pair per dimension) and the data format; ZeroPadding pads with
``K.pad`` and Cropping slices, so both work with unknown spatial sizes.
"""

from lamina import backend as K
from lamina.layers.layer import InputSpec, Layer
from lamina.layers.pooling import arguments


class SpatialEdges(Layer):
    """The base of ZeroPadding and Cropping: one ``(before, after)`` pair per spatial
    dimension in ``self.edges``, read from the argument ``argument_name``. A subclass
    sets ``rank`` and ``argument_name``.

    >>> from lamina import layers
    >>> layers.ZeroPadding2D(((1, 2), 3)).edges
    ((1, 2), (3, 3))
    """

    rank = None
    argument_name = None

    def __init__(self, edges, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.edges = arguments.edge_pairs(self, self.argument_name, edges, self.rank)
        self.data_format = arguments.data_format(self, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _edges_by_axis(self):
        """``(axis, (before, after))`` for each spatial axis."""
        return zip(arguments.spatial_axes(self.data_format, self.rank), self.edges)


class ZeroPadding(SpatialEdges):
    """The base of ZeroPadding1D/2D/3D: ``padding`` zeros before and after each spatial
    dimension.

    >>> from lamina import backend as K, layers
    >>> layers.ZeroPadding3D(1)(K.Input((None, 2, 2, 1))).shape
    (None, None, 4, 4, 1)
    """

    argument_name = "padding"

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)
        self.padding = self.edges

    def call(self, inputs):
        widths = [(0, 0)] * len(inputs.shape)
        for axis, pair in self._edges_by_axis():
            widths[axis] = pair
        return K.pad(inputs, widths)


class ZeroPadding1D(ZeroPadding):
    """Zeros before and after the steps: ``ZeroPadding1D(padding=1, data_format=None)``;
    ``padding`` is an int or a pair ``(before, after)``.

    >>> from lamina import backend as K, layers
    >>> x = K.convert_to_tensor([[[1.0], [2.0]]])
    >>> K.convert_to_numpy(layers.ZeroPadding1D((1, 2))(x))[0, :, 0].tolist()
    [0.0, 1.0, 2.0, 0.0, 0.0]
    """

    rank = 1


class ZeroPadding2D(ZeroPadding):
    """Rows and columns of zeros around images: ``ZeroPadding2D(padding=(1, 1),
    data_format=None)``; ``padding`` is an int, ``(rows, columns)`` (the same on both
    sides) or ``((top, bottom), (left, right))``.

    >>> from lamina import backend as K, layers
    >>> x = K.ones((1, 1, 1, 1))
    >>> K.convert_to_numpy(layers.ZeroPadding2D(((0, 1), 1))(x))[0, :, :, 0].tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """

    rank = 2


class ZeroPadding3D(ZeroPadding):
    """Zeros around volumes: ``ZeroPadding3D(padding=((1, 1), (1, 1), (1, 1)),
    data_format=None)``; ``padding`` is an int, three ints or three pairs.

    >>> from lamina import backend as K, layers
    >>> layers.ZeroPadding3D((1, 0, 2), data_format="channels_first")(
    ...     K.Input((3, 2, 2, 2))).shape
    (None, 3, 4, 2, 6)
    """

    rank = 3


class Cropping(SpatialEdges):
    """The base of Cropping1D/2D/3D: ``cropping`` cells cut before and after each spatial
    dimension. Cutting a whole dimension (or more) is an error.

    >>> from lamina import backend as K, layers
    >>> layers.Cropping2D(((1, 0), (2, 2)))(K.Input((None, 6, 3))).shape
    (None, None, 2, 3)
    """

    argument_name = "cropping"

    def __init__(self, cropping=1, data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)
        self.cropping = self.edges

    def build(self, input_shape):
        self._check_sizes(input_shape)
        self.built = True

    def _check_sizes(self, input_shape):
        for axis, (before, after) in self._edges_by_axis():
            size = input_shape[axis]
            if size is not None and before + after >= size:
                raise ValueError(
                    f"{arguments.where(self)} expects spatial dimensions longer than the "
                    f"cropping {self.cropping} ({self.data_format}); axis {axis} would "
                    f"keep {size - before - after} cells. Received input shape "
                    f"{tuple(input_shape)}.")

    def call(self, inputs):
        if not K.symbolic.is_probing():
            self._check_sizes(tuple(inputs.shape))
        index = [slice(None)] * len(inputs.shape)
        for axis, (before, after) in self._edges_by_axis():
            index[axis] = slice(before, -after if after else None)
        return inputs[tuple(index)]


class Cropping1D(Cropping):
    """Steps cut at the start and end: ``Cropping1D(cropping=(1, 1))``; ``cropping`` is an
    int or a pair ``(before, after)``. (``data_format`` is accepted too, as by
    ZeroPadding1D.)

    >>> from lamina import backend as K, layers
    >>> x = K.convert_to_tensor([[[1.0], [2.0], [3.0], [4.0]]])
    >>> K.convert_to_numpy(layers.Cropping1D((1, 2))(x))[0, :, 0].tolist()
    [2.0]
    """

    rank = 1


class Cropping2D(Cropping):
    """Rows and columns cut from the edges of images: ``Cropping2D(cropping=((0, 0), (0,
    0)), data_format=None)``; ``cropping`` is an int, ``(rows, columns)`` (the same on
    both sides) or ``((top, bottom), (left, right))``.

    >>> from lamina import backend as K, layers
    >>> x = K.reshape(K.arange(9, dtype="float32"), (1, 3, 3, 1))
    >>> K.convert_to_numpy(layers.Cropping2D(((1, 0), (0, 1)))(x))[0, :, :, 0].tolist()
    [[3.0, 4.0], [6.0, 7.0]]
    """

    rank = 2

    def __init__(self, cropping=0, data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


class Cropping3D(Cropping):
    """Cells cut from the edges of volumes: ``Cropping3D(cropping=((1, 1), (1, 1), (1,
    1)), data_format=None)``; ``cropping`` is an int, three ints or three pairs.

    >>> from lamina import backend as K, layers
    >>> layers.Cropping3D((0, 1, 2))(K.Input((4, 4, 6, 2))).shape
    (None, 4, 2, 2, 2)
    """

    rank = 3
