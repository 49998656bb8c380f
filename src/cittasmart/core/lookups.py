"""Query lookups that Django leaves unsafe for values sent by people.

Django drops integers outside a column's range from ``exact``, ``gt``, ``lt``… (they cannot match), but not from
``in``: with SQLite an ``in`` holding such an integer raises ``OverflowError`` (a 500), and a form with a
multiple choice of objects runs exactly that query with the keys it was sent (``?organisations=99999…``).
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
