package io.regionkv.api;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.regionkv.proto.Regionkvpb;
import io.regionkv.proto.Regionkvpb.AddPeerRequest;
import io.regionkv.proto.Regionkvpb.AddPeerResponse;
import io.regionkv.proto.Regionkvpb.GetTimestampRequest;
import io.regionkv.proto.Regionkvpb.GetTimestampResponse;
import io.regionkv.proto.Regionkvpb.ListRegionsRequest;
import io.regionkv.proto.Regionkvpb.ListRegionsResponse;
import io.regionkv.proto.Regionkvpb.ListStoresRequest;
import io.regionkv.proto.Regionkvpb.ListStoresResponse;
import io.regionkv.proto.Regionkvpb.RawBatchGetRequest;
import io.regionkv.proto.Regionkvpb.RawBatchGetResponse;
import io.regionkv.proto.Regionkvpb.RawBatchPutRequest;
import io.regionkv.proto.Regionkvpb.RawBatchPutResponse;
import io.regionkv.proto.Regionkvpb.RawDeleteRequest;
import io.regionkv.proto.Regionkvpb.RawDeleteResponse;
import io.regionkv.proto.Regionkvpb.RawGetRequest;
import io.regionkv.proto.Regionkvpb.RawGetResponse;
import io.regionkv.proto.Regionkvpb.RawPutRequest;
import io.regionkv.proto.Regionkvpb.RawPutResponse;
import io.regionkv.proto.Regionkvpb.RawScanRequest;
import io.regionkv.proto.Regionkvpb.RawScanResponse;
import io.regionkv.proto.Regionkvpb.RemovePeerRequest;
import io.regionkv.proto.Regionkvpb.RemovePeerResponse;
import io.regionkv.proto.Regionkvpb.SplitRequest;
import io.regionkv.proto.Regionkvpb.SplitResponse;
import io.regionkv.proto.Regionkvpb.TransferLeaderRequest;
import io.regionkv.proto.Regionkvpb.TransferLeaderResponse;
import java.util.List;

/**
 * The gRPC method descriptors of the {@code RegionKv} service of {@code proto/regionkvpb.proto}, for the
 * server and for Java clients.
 *
 * <p>These are what {@code protoc-gen-grpc-java} would generate, built by hand from the protoc-generated
 * message classes because the build cannot fetch that native plugin. Each descriptor takes its name and
 * schema from the compiled {@code .proto} (so gRPC reflection and other languages see the same service),
 * and {@code RegionKvMethodsTest} checks that the list matches the proto's methods one for one.
 */
public final class RegionKvMethods {

    private RegionKvMethods() {}

    /** The service as compiled from the proto file. */
    public static final ServiceDescriptor SERVICE = Regionkvpb.getDescriptor().findServiceByName("RegionKv");

    public static final String SERVICE_NAME = SERVICE.getFullName();

    public static final MethodDescriptor<RawGetRequest, RawGetResponse> RAW_GET =
            unary("RawGet", RawGetRequest.getDefaultInstance(), RawGetResponse.getDefaultInstance());
    public static final MethodDescriptor<RawBatchGetRequest, RawBatchGetResponse> RAW_BATCH_GET =
            unary("RawBatchGet", RawBatchGetRequest.getDefaultInstance(), RawBatchGetResponse.getDefaultInstance());
    public static final MethodDescriptor<RawPutRequest, RawPutResponse> RAW_PUT =
            unary("RawPut", RawPutRequest.getDefaultInstance(), RawPutResponse.getDefaultInstance());
    public static final MethodDescriptor<RawBatchPutRequest, RawBatchPutResponse> RAW_BATCH_PUT =
            unary("RawBatchPut", RawBatchPutRequest.getDefaultInstance(), RawBatchPutResponse.getDefaultInstance());
    public static final MethodDescriptor<RawDeleteRequest, RawDeleteResponse> RAW_DELETE =
            unary("RawDelete", RawDeleteRequest.getDefaultInstance(), RawDeleteResponse.getDefaultInstance());
    public static final MethodDescriptor<RawScanRequest, RawScanResponse> RAW_SCAN =
            unary("RawScan", RawScanRequest.getDefaultInstance(), RawScanResponse.getDefaultInstance());
    public static final MethodDescriptor<ListRegionsRequest, ListRegionsResponse> LIST_REGIONS =
            unary("ListRegions", ListRegionsRequest.getDefaultInstance(), ListRegionsResponse.getDefaultInstance());
    public static final MethodDescriptor<ListStoresRequest, ListStoresResponse> LIST_STORES =
            unary("ListStores", ListStoresRequest.getDefaultInstance(), ListStoresResponse.getDefaultInstance());
    public static final MethodDescriptor<SplitRequest, SplitResponse> SPLIT =
            unary("Split", SplitRequest.getDefaultInstance(), SplitResponse.getDefaultInstance());
    public static final MethodDescriptor<GetTimestampRequest, GetTimestampResponse> GET_TIMESTAMP =
            unary("GetTimestamp", GetTimestampRequest.getDefaultInstance(), GetTimestampResponse.getDefaultInstance());
    public static final MethodDescriptor<TransferLeaderRequest, TransferLeaderResponse> TRANSFER_LEADER =
            unary("TransferLeader", TransferLeaderRequest.getDefaultInstance(),
                    TransferLeaderResponse.getDefaultInstance());
    public static final MethodDescriptor<AddPeerRequest, AddPeerResponse> ADD_PEER =
            unary("AddPeer", AddPeerRequest.getDefaultInstance(), AddPeerResponse.getDefaultInstance());
    public static final MethodDescriptor<RemovePeerRequest, RemovePeerResponse> REMOVE_PEER =
            unary("RemovePeer", RemovePeerRequest.getDefaultInstance(), RemovePeerResponse.getDefaultInstance());

    /** Every method of the service, in the proto file's order. */
    public static final List<MethodDescriptor<?, ?>> ALL = List.of(RAW_GET, RAW_BATCH_GET, RAW_PUT, RAW_BATCH_PUT,
            RAW_DELETE, RAW_SCAN, LIST_REGIONS, LIST_STORES, SPLIT, GET_TIMESTAMP, TRANSFER_LEADER, ADD_PEER, REMOVE_PEER);

    /** The service descriptor gRPC servers register (with its proto schema, for reflection). */
    public static io.grpc.ServiceDescriptor serviceDescriptor() {
        io.grpc.ServiceDescriptor.Builder b = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
                .setSchemaDescriptor(new ServiceSchema());
        for (MethodDescriptor<?, ?> m : ALL) b.addMethod(m);
        return b.build();
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(String name, Q request,
            R response) {
        com.google.protobuf.Descriptors.MethodDescriptor proto = SERVICE.findMethodByName(name);
        if (proto == null) throw new IllegalStateException("regionkvpb.proto has no method " + name);
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .setSchemaDescriptor(new MethodSchema(proto))
                .build();
    }

    private static final class ServiceSchema implements ProtoServiceDescriptorSupplier {
        @Override
        public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
            return Regionkvpb.getDescriptor();
        }

        @Override
        public ServiceDescriptor getServiceDescriptor() {
            return SERVICE;
        }
    }

    private static final class MethodSchema implements ProtoMethodDescriptorSupplier {
        private final com.google.protobuf.Descriptors.MethodDescriptor method;

        MethodSchema(com.google.protobuf.Descriptors.MethodDescriptor method) {
            this.method = method;
        }

        @Override
        public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
            return Regionkvpb.getDescriptor();
        }

        @Override
        public ServiceDescriptor getServiceDescriptor() {
            return SERVICE;
        }

        @Override
        public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
            return method;
        }
    }
}
