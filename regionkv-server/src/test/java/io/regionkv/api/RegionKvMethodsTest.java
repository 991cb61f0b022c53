package io.regionkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors;
import io.grpc.MethodDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-built descriptors stand in for generated ones: they must match the proto's service exactly. */
class RegionKvMethodsTest {

    @Test
    void everyProtoMethodHasADescriptorWithItsTypes() {
        List<Descriptors.MethodDescriptor> proto = RegionKvMethods.SERVICE.getMethods();
        assertEquals(proto.size(), RegionKvMethods.ALL.size(), "one descriptor per rpc of regionkvpb.proto");
        for (int i = 0; i < proto.size(); i++) {
            Descriptors.MethodDescriptor p = proto.get(i);
            MethodDescriptor<?, ?> m = RegionKvMethods.ALL.get(i);
            assertEquals("regionkvpb.RegionKv/" + p.getName(), m.getFullMethodName());
            assertEquals(MethodDescriptor.MethodType.UNARY, m.getType());
            assertEquals(p.getInputType(), messageType(m.getRequestMarshaller()), p.getName() + " request");
            assertEquals(p.getOutputType(), messageType(m.getResponseMarshaller()), p.getName() + " response");
        }
        assertEquals(proto.size(), RegionKvMethods.serviceDescriptor().getMethods().size());
    }

    private static Descriptors.Descriptor messageType(MethodDescriptor.Marshaller<?> marshaller) {
        Object prototype = ((MethodDescriptor.PrototypeMarshaller<?>) marshaller).getMessagePrototype();
        return ((com.google.protobuf.Message) prototype).getDescriptorForType();
    }
}
